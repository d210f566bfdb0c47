"""OpenTelemetry tracing: a server span per GraphQL request, a client span per SQL statement, OTLP over HTTP."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import asyncpg
import httpx
import pytest
from opentelemetry import trace
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from starlette.applications import Starlette

from gateway.http.app import create_app
from gateway.operations.database import SERVING_ROLE, url_with
from gateway.operations.settings import Settings
from gateway.operations.tracing import Tracing, operation_type
from tests.factories.producers import make_seller
from tests.settings import gateway_settings

ROOT = Path(__file__).resolve().parents[2]
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"


@pytest.fixture
async def traced(database_url: str) -> AsyncIterator[tuple[Starlette, InMemorySpanExporter]]:
    """The gateway with tracing on, its spans kept in memory."""
    exporter = InMemorySpanExporter()
    application = create_app(gateway_settings({}), url_with(database_url, user=SERVING_ROLE), span_exporter=exporter)
    async with application.router.lifespan_context(application):
        yield application, exporter


async def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")


def _finished(app: Starlette, exporter: InMemorySpanExporter) -> tuple[ReadableSpan, ...]:
    tracing: Tracing = app.state.tracing
    assert tracing.force_flush()
    return exporter.get_finished_spans()


def _server_spans(spans: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    return [span for span in spans if span.kind is SpanKind.SERVER]


async def test_a_request_is_a_server_span_joined_to_the_callers_trace_with_a_span_per_statement(
    traced: tuple[Starlette, InMemorySpanExporter], connection: asyncpg.Connection
) -> None:
    app, exporter = traced
    seller = await make_seller(connection)
    async with await _client(app) as client:
        response = await client.post(
            "/graphql",
            json={"query": "query Card { viewer { id } salesManagement { asOf } }", "operationName": "Card"},
            headers={"authorization": f"Bearer {seller.key}", "traceparent": TRACEPARENT},
        )
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()

    spans = _finished(app, exporter)
    (server,) = _server_spans(spans)
    assert server.name == "graphql Card"
    assert server.context is not None
    assert server.parent is not None
    assert f"{server.context.trace_id:032x}" == TRACE_ID
    assert f"{server.parent.span_id:016x}" == PARENT_ID
    assert server.parent.is_remote
    attributes = dict(server.attributes or {})
    assert attributes["graphql.operation.name"] == "Card"
    assert attributes["graphql.operation.type"] == "query"
    assert attributes["gateway.request_id"] == response.headers["x-request-id"]
    assert attributes["gateway.producer_id"] == seller.id
    assert attributes["http.response.status_code"] == 200
    assert attributes["http.request.method"] == "POST"
    assert attributes["gateway.outcome"] == "ok"
    assert "gateway.error_codes" not in attributes
    assert server.status.status_code is StatusCode.UNSET
    assert server.resource.attributes["service.name"] == "sales-gateway"

    statements = [span for span in spans if span.kind is SpanKind.CLIENT]
    assert len(statements) == int(response.headers["x-sql-statements"]) >= 1
    assert attributes["gateway.sql_statements"] == len(statements)
    for statement in statements:
        assert statement.parent is not None
        assert statement.context is not None
        assert statement.parent.span_id == server.context.span_id
        assert statement.context.trace_id == server.context.trace_id
        statement_attributes = dict(statement.attributes or {})
        assert statement_attributes["db.system"] == "postgresql"
        sql = str(statement_attributes["db.statement"])
        assert statement.name == sql.split()[0].upper()
        assert "$1" in sql  # the text with its placeholders; the values (the producer id) are not there
        assert seller.key not in sql


async def test_refusals_errors_and_mutations_are_described_on_the_span(
    traced: tuple[Starlette, InMemorySpanExporter], connection: asyncpg.Connection
) -> None:
    app, exporter = traced
    seller = await make_seller(connection)
    withdraw = (
        'mutation Withdraw { requestWithdrawal(input: {amount: "10.00", currency: BRL, idempotencyKey: "t-1"})'
        " { userErrors { code } } }"
    )
    async with await _client(app) as client:
        refused = await client.post("/graphql", json={"query": "{ viewer { id } }"}, headers={"x-request-id": "req-7"})
        invalid = await client.post(
            "/graphql", json={"query": "{ viewer { nope } }"}, headers={"authorization": f"Bearer {seller.key}"}
        )
        mutation = await client.post(
            "/graphql", json={"query": withdraw}, headers={"authorization": f"Bearer {seller.key}"}
        )
    assert (refused.status_code, invalid.status_code, mutation.status_code) == (401, 200, 200)
    assert mutation.json()["data"]["requestWithdrawal"]["userErrors"]  # refused as data: no balance here

    by_request = {
        dict(span.attributes or {})["gateway.request_id"]: span for span in _server_spans(_finished(app, exporter))
    }
    unauthenticated = dict(by_request["req-7"].attributes or {})
    assert by_request["req-7"].name == "graphql anonymous"
    assert unauthenticated["http.response.status_code"] == 401
    assert unauthenticated["gateway.outcome"] == "rejected"
    assert unauthenticated["gateway.error_codes"] == ("UNAUTHENTICATED",)
    assert "graphql.operation.type" not in unauthenticated  # refused on its headers: its body was never read
    assert "gateway.producer_id" not in unauthenticated

    bad_field = dict(by_request[invalid.headers["x-request-id"]].attributes or {})
    assert bad_field["gateway.outcome"] == "error"
    assert bad_field["gateway.error_codes"] == ("BAD_USER_INPUT",)
    assert bad_field["gateway.producer_id"] == seller.id

    written = by_request[mutation.headers["x-request-id"]]
    assert written.name == "graphql Withdraw"
    assert dict(written.attributes or {})["graphql.operation.type"] == "mutation"


async def test_a_request_that_crashes_is_a_failed_span_with_the_exception(
    traced: tuple[Starlette, InMemorySpanExporter], connection: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, exporter = traced
    seller = await make_seller(connection)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    # formatting the errors of the answer is the last step, after the request's connection went back
    monkeypatch.setattr("gateway.http.graphql_http.format_error", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        response = await client.post(
            "/graphql",
            json={"query": "query Crash { viewer { nope } }"},
            headers={"authorization": f"Bearer {seller.key}", "x-request-id": "crash-1"},
        )
    assert response.status_code == 500
    (server,) = _server_spans(_finished(app, exporter))
    attributes = dict(server.attributes or {})
    assert attributes["gateway.request_id"] == "crash-1"
    assert attributes["http.response.status_code"] == 500
    assert attributes["gateway.outcome"] == "failed"
    assert server.status.status_code is StatusCode.ERROR
    assert [event.name for event in server.events] == ["exception"]


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that keeps what it is sent."""

    received: list[tuple[str, str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        self.received.append((self.path, self.headers.get("content-type", ""), body))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    received: list[tuple[str, str, bytes]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def test_spans_reach_an_otlp_endpoint_over_http(
    database_url: str, connection: asyncpg.Connection, collector: tuple[str, list[tuple[str, str, bytes]]]
) -> None:
    endpoint, received = collector
    seller = await make_seller(connection)
    settings = gateway_settings({"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_SERVICE_NAME": "gateway-under-test"})
    assert settings.tracing_endpoint == f"{endpoint}/v1/traces"
    application = create_app(settings, url_with(database_url, user=SERVING_ROLE))
    async with application.router.lifespan_context(application):
        assert isinstance(application.state.tracing, Tracing)
        async with await _client(application) as client:
            response = await client.post(
                "/graphql",
                json={"query": "query Viewer { viewer { id } }"},
                headers={"authorization": f"Bearer {seller.key}", "traceparent": TRACEPARENT},
            )
        assert response.status_code == 200
    # the lifespan's end flushed the batch and shut the provider down

    assert received, "nothing was exported"
    assert {path for path, _, _ in received} == {"/v1/traces"}
    assert {content_type for _, content_type, _ in received} == {"application/x-protobuf"}
    exported = ExportTraceServiceRequest()
    for _, _, body in received:
        assert body
        exported.MergeFromString(body)
    services = set()
    names = []
    for resource_spans in exported.resource_spans:
        services |= {a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"}
        for scope_spans in resource_spans.scope_spans:
            names += [(span.name, span.trace_id.hex()) for span in scope_spans.spans]
    assert services == {"gateway-under-test"}
    assert ("graphql Viewer", TRACE_ID) in names
    assert ("SELECT", TRACE_ID) in names


async def test_without_an_endpoint_tracing_is_off(
    app: Starlette, client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    assert Settings.from_env({"OTEL_SERVICE_NAME": "x"}).tracing_endpoint is None
    assert app.state.tracing is None
    response = await client.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"authorization": f"Bearer {seller.key}", "traceparent": TRACEPARENT},
    )
    assert response.status_code == 200
    assert "errors" not in response.json()
    assert isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)  # no provider was installed


UNTRACED_PROCESS = """
import asyncio, sys
import httpx
from gateway.http.app import create_app
from gateway.operations.settings import Settings

async def main(url: str, key: str) -> None:
    app = create_app(Settings.from_env({"OTEL_SERVICE_NAME": "untraced"}), url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            response = await client.post(
                "/graphql", json={"query": "{ viewer { id } }"}, headers={"authorization": "Bearer " + key}
            )
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        assert app.state.tracing is None
    print(sorted(name for name in sys.modules if name.startswith("opentelemetry")))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def test_without_an_endpoint_opentelemetry_is_not_even_imported(
    database_url: str, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    environ = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", UNTRACED_PROCESS, url_with(database_url, user=SERVING_ROLE), seller.key],
        capture_output=True,
        text=True,
        env=environ,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


async def test_an_endpoint_without_the_packages_warns_once_and_serves_untraced(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    for module in ("opentelemetry.exporter.otlp.proto.http.trace_exporter", "opentelemetry.sdk.trace"):
        monkeypatch.setitem(sys.modules, module, None)  # `import` now fails as if it were not installed
    caplog.set_level(logging.WARNING, logger="gateway.operations.tracing")
    settings = gateway_settings({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:9/v1/traces"})
    application = create_app(settings, url_with(database_url, user=SERVING_ROLE))
    async with application.router.lifespan_context(application):
        assert application.state.tracing is None
        async with await _client(application) as client:
            response = await client.post("/graphql", json={"query": "{ viewer { id } }"})
        assert response.status_code == 401
    warnings = [record for record in caplog.records if record.name == "gateway.operations.tracing"]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "sales-gateway[tracing]" in warnings[0].getMessage()


@pytest.mark.parametrize(
    ("environ", "endpoint"),
    [
        ({}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, "http://collector:4318/v1/traces"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector:4318/"}, "https://collector:4318/v1/traces"),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b/traces"},
            "http://b/traces",
        ),
    ],
)
def test_the_endpoint_comes_from_opentelemetrys_variables(environ: dict[str, str], endpoint: str | None) -> None:
    assert Settings.from_env(environ).tracing_endpoint == endpoint


def test_an_endpoint_that_is_not_http_is_refused() -> None:
    with pytest.raises(ValueError, match="OTEL_EXPORTER_OTLP_ENDPOINT must be an http"):
        Settings.from_env({"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4317"})


@pytest.mark.parametrize(
    ("query", "name", "kind"),
    [
        ("{ viewer { id } }", None, "query"),
        ("# a comment\n  { viewer { id } }", None, "query"),
        ("query Q { viewer { id } }", None, "query"),
        ("mutation M { cancelWithdrawal(id: 1) { userErrors { code } } }", None, "mutation"),
        ("query A { viewer { id } } mutation B { x }", "B", "mutation"),
        ("fragment F on Viewer { id } query A { viewer { ...F } }", None, "query"),
        ("query A { viewer { id } }", "Missing", None),
        ("query A { viewer { id } }", "not a name", None),
    ],
)
def test_the_operation_type_is_read_from_the_text(query: str, name: str | None, kind: str | None) -> None:
    assert operation_type(query, name) == kind
