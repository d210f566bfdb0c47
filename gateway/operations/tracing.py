"""Optional OpenTelemetry tracing: a server span per GraphQL request, a client span per SQL statement.

Tracing is on only when the OpenTelemetry packages (the `tracing` extra) can be imported and an OTLP
endpoint is configured (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`, read by
`Settings`). When it is off, nothing imports OpenTelemetry and a request pays one `is None` check, plus
one context-variable read per SQL statement.

The tracer provider belongs to the app (the global one is left alone): spans go through a
`BatchSpanProcessor` to OTLP over HTTP (protobuf), and the lifespan flushes and shuts it down.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from loaders.database import STATEMENT_OBSERVER

if TYPE_CHECKING:
    import asyncpg
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span
    from starlette.requests import Request

    from gateway.http.metrics import RequestRecord
    from gateway.operations.settings import Settings

log = logging.getLogger(__name__)

REQUEST_TRACING: ContextVar[Tracing | None] = ContextVar("request_tracing", default=None)
"""The tracing of the request being served while its span records; it also observes the request's SQL
statements (`loaders.database.STATEMENT_OBSERVER`), each in a span of its own."""

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_SHORTHAND = re.compile(r"^(?:\s|,|#[^\n\r]*)*\{")  # `{ ... }`: an anonymous query
_FIRST_OPERATION = re.compile(r"(?:^|[\s,}])(query|mutation|subscription)\b")
MAX_OPERATION_NAME = 128


class Tracing:
    """The app's tracer; made by `open_tracing`, only when tracing is on."""

    def __init__(self, provider: TracerProvider) -> None:
        from opentelemetry import propagate, trace

        self.provider = provider
        self.tracer = provider.get_tracer("sales-gateway")
        self._extract = propagate.extract
        self._current_span = trace.get_current_span
        self._server, self._client = trace.SpanKind.SERVER, trace.SpanKind.CLIENT
        self._error = trace.StatusCode.ERROR

    @contextlib.contextmanager
    def request_span(self, request: Request, entry: RequestRecord) -> Iterator[None]:
        """The server span of one GraphQL request, child of the caller's `traceparent` if it sent one.

        What the request did is read from `entry` when it ends, as the access log does."""
        parent = self._extract(request.headers)
        attributes = {"http.request.method": request.method, "http.route": "/graphql"}
        with self.tracer.start_as_current_span("graphql", parent, kind=self._server, attributes=attributes) as span:
            if not span.is_recording():  # sampled out
                yield
                return
            token, observing = REQUEST_TRACING.set(self), STATEMENT_OBSERVER.set(self)  # SQL statements: a span each
            crashed = False
            try:
                yield
            except Exception:
                crashed = True  # Starlette answers 500; the span records the exception
                raise
            finally:
                REQUEST_TRACING.reset(token)
                STATEMENT_OBSERVER.reset(observing)
                self._describe(span, entry, crashed=crashed)

    def _describe(self, span: Span, entry: RequestRecord, *, crashed: bool) -> None:
        span.update_name(f"graphql {_span_label(entry.operation)}")
        outcome = "failed" if crashed else entry.outcome
        span.set_attributes(
            {
                "gateway.request_id": entry.request_id,
                "http.response.status_code": 500 if crashed else entry.status,
                "gateway.outcome": outcome,
                "gateway.sql_statements": entry.sql_statements,
            }
        )
        if entry.operation:
            span.set_attribute("graphql.operation.name", entry.operation[:MAX_OPERATION_NAME])
        if entry.producer_id is not None:
            span.set_attribute("gateway.producer_id", entry.producer_id)
        codes = list(dict.fromkeys(entry.error_codes))
        if codes:
            span.set_attribute("gateway.error_codes", codes)
        if outcome == "failed" and not crashed:  # a crash's status is set from its exception
            span.set_status(self._error, ", ".join(codes))

    def note_operation(self, query: str, operation_name: str | None) -> None:
        """Put the operation's type on the current request span, when the document's text tells it."""
        kind = operation_type(query, operation_name)
        if kind is not None:
            self._current_span().set_attribute("graphql.operation.type", kind)

    async def statement(
        self, connection: asyncpg.pool.PoolConnectionProxy, method: str, sql: str, args: tuple[Any, ...]
    ) -> Any:
        """Run `connection.<method>(sql, *args)` in a client span carrying the SQL text (never the values)."""
        attributes = {"db.system": "postgresql", "db.statement": sql}
        with self.tracer.start_as_current_span(_statement_name(sql), kind=self._client, attributes=attributes):
            return await getattr(connection, method)(sql, *args)

    def force_flush(self) -> bool:
        """Export every ended span now (blocking)."""
        return self.provider.force_flush()

    def shutdown(self) -> None:
        """Export what is left and stop (blocking, bounded by the exporter's timeout)."""
        self.provider.shutdown()


@contextlib.asynccontextmanager
async def open_tracing(settings: Settings, exporter: SpanExporter | None = None) -> AsyncIterator[Tracing | None]:
    """The app's tracing for the lifespan, or None when it is off; flushed and shut down at the end.

    `exporter` replaces the OTLP exporter (and turns tracing on without an endpoint): tests pass one."""
    tracing = start_tracing(settings, exporter)
    try:
        yield tracing
    finally:
        if tracing is not None:
            await asyncio.to_thread(tracing.shutdown)


def start_tracing(settings: Settings, exporter: SpanExporter | None = None) -> Tracing | None:
    if exporter is None and settings.tracing_endpoint is None:
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as error:
        log.warning(
            "an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_*ENDPOINT) but OpenTelemetry is not installed (%s);"
            " serving without tracing. Install it with: pip install 'sales-gateway[tracing]'",
            error,
        )
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}), shutdown_on_exit=False)
    provider.add_span_processor(BatchSpanProcessor(exporter or OTLPSpanExporter(endpoint=settings.tracing_endpoint)))
    log.info(
        "tracing on: spans of %s go to %s", settings.service_name, settings.tracing_endpoint or type(exporter).__name__
    )
    return Tracing(provider)


def operation_type(query: str, operation_name: str | None) -> str | None:
    """`query`, `mutation` or `subscription`, from the text of the document (one regular expression), or None.

    The named operation's keyword when a name is given; else the first operation's (`{ ... }` is a query).
    Only a label for traces: what runs is decided by the executor."""
    if operation_name is not None:
        if not _NAME.match(operation_name):
            return None
        named = re.search(rf"\b(query|mutation|subscription)\s+{operation_name}\b", query)
        return named.group(1) if named else None
    if _SHORTHAND.match(query):
        return "query"
    first = _FIRST_OPERATION.search(query[:2000])
    return first.group(1) if first else None


def _span_label(operation: str | None) -> str:
    if not operation:
        return "anonymous"
    return operation if _NAME.match(operation) else "invalid"


def _statement_name(sql: str) -> str:
    words = sql.split(None, 1)
    return words[0].upper() if words else "SQL"
