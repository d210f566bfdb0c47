"""Prometheus metrics of the gateway, and what one request adds to them and to the log."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response

from resolvers.errors import ErrorCode

log = logging.getLogger("gateway.access")

_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
MAX_OPERATION_NAMES = 200  # label values kept apart; the rest count as "other"


class GatewayMetrics:
    """The series one process exposes at /metrics. One instance per app (tests build several apps)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gateway_requests_total", "GraphQL requests by operation name and outcome",
            ["operation", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "gateway_request_duration_seconds", "Time to answer a GraphQL request", ["operation"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10), registry=self.registry,
        )  # fmt: skip
        self.sql_statements = Histogram(
            "gateway_sql_statements_per_request", "SQL statements one GraphQL request ran",
            buckets=(0, 1, 2, 3, 5, 8, 13, 21, 34, 55), registry=self.registry,
        )  # fmt: skip
        self.sql_seconds = Histogram(
            "gateway_sql_seconds_per_request", "Time one GraphQL request spent waiting on SQL",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5), registry=self.registry,
        )  # fmt: skip
        self.errors = Counter(
            "gateway_errors_total", "Errors returned to clients by extensions.code", ["code"], registry=self.registry
        )
        self.cost_bucket_failures = Counter(
            "gateway_cost_bucket_failures", "Cost-bucket updates Redis did not answer (this process's own buckets "
            "stood in)", registry=self.registry,
        )  # fmt: skip
        self.pool_size = Gauge("gateway_pool_connections", "Connections in the pool", registry=self.registry)
        self.pool_in_use = Gauge("gateway_pool_connections_in_use", "Pool connections lent out", registry=self.registry)
        self.pool_waiting = Gauge(
            "gateway_pool_waiting_requests", "Requests waiting for a pool connection", registry=self.registry
        )
        self._names: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        if not name:
            return "anonymous"
        if not _OPERATION_NAME.match(name):
            return "invalid"
        if name not in self._names:
            if len(self._names) >= MAX_OPERATION_NAMES:
                return "other"
            self._names.add(name)
        return name

    def exposition(self, pool: asyncpg.Pool | None, waiting: int) -> bytes:
        if pool is not None:
            size = pool.get_size()
            self.pool_size.set(size)
            self.pool_in_use.set(size - pool.get_idle_size())
        self.pool_waiting.set(waiting)
        return bytes(generate_latest(self.registry))


@dataclass(slots=True)
class RequestRecord:
    """What one request did, for the access log and the metrics."""

    request_id: str
    started: float
    operation: str | None = None
    producer_id: int | None = None
    status: int = 200
    error_codes: list[str] = field(default_factory=list)
    sql_statements: int = 0
    sql_seconds: float = 0.0

    @property
    def outcome(self) -> str:
        if (
            self.status >= 500
            or ErrorCode.SERVICE_UNAVAILABLE in self.error_codes
            or ErrorCode.INTERNAL in self.error_codes
        ):
            return "failed"
        if self.status >= 400:
            return "rejected"
        return "error" if self.error_codes else "ok"


def record(metrics: GatewayMetrics, entry: RequestRecord, finished: float) -> None:
    duration = finished - entry.started
    operation = metrics.operation_label(entry.operation)
    metrics.requests.labels(operation, entry.outcome).inc()
    metrics.latency.labels(operation).observe(duration)
    metrics.sql_statements.observe(entry.sql_statements)
    metrics.sql_seconds.observe(entry.sql_seconds)
    for code in entry.error_codes:
        metrics.errors.labels(code).inc()
    log.info(
        "graphql request",
        extra={
            "request_id": entry.request_id,
            "operation": entry.operation,
            "producer_id": entry.producer_id,
            "status": entry.status,
            "outcome": entry.outcome,
            "error_codes": entry.error_codes,
            "duration_ms": round(duration * 1000, 2),
            "sql_statements": entry.sql_statements,
            "sql_ms": round(entry.sql_seconds * 1000, 2),
        },
    )


async def metrics_endpoint(request: Request) -> Response:
    state = request.app.state
    body = state.metrics.exposition(getattr(state, "pool", None), state.pool_waiters.value)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
