"""What operators see and rely on: /metrics, JSON access logs with request ids, a pool that answers fast."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from gateway.http.app import create_app
from gateway.operations.database import SERVING_ROLE, url_with
from gateway.operations.logs import JsonFormatter
from tests.factories.producers import make_seller
from tests.graphql import post
from tests.settings import gateway_settings


async def test_metrics_expose_requests_latency_sql_pool_and_errors(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    await client.post(
        "/graphql", json={"query": "query Viewer { viewer { id } }"}, headers={"authorization": f"Bearer {seller.key}"}
    )
    await post(client, None, "{ viewer { id } }")
    await post(client, seller.key, "{ viewer { nope } }")
    text = (await client.get("/metrics")).text
    for series in (
        'gateway_requests_total{operation="Viewer",outcome="ok"}',
        'gateway_requests_total{operation="anonymous",outcome="rejected"}',
        'gateway_requests_total{operation="anonymous",outcome="error"}',
        'gateway_request_duration_seconds_bucket{le="0.1",operation="Viewer"}',
        "gateway_sql_statements_per_request_count",
        "gateway_sql_seconds_per_request_sum",
        'gateway_errors_total{code="UNAUTHENTICATED"}',
        'gateway_errors_total{code="BAD_USER_INPUT"}',
        "gateway_pool_connections ",
        "gateway_pool_connections_in_use ",
        "gateway_pool_waiting_requests ",
    ):
        assert series in text, series


async def test_access_log_is_a_json_line_with_the_request_id(
    client: httpx.AsyncClient, connection: asyncpg.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    seller = await make_seller(connection)
    caplog.set_level(logging.INFO, logger="gateway.access")
    await client.post(
        "/graphql",
        json={"query": "query Card { salesManagement { asOf } }", "operationName": "Card"},
        headers={"authorization": f"Bearer {seller.key}", "x-request-id": "trace-123"},
    )
    records = [r for r in caplog.records if r.name == "gateway.access" and getattr(r, "request_id", "") == "trace-123"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "trace-123"
    assert line["operation"] == "Card"
    assert line["producer_id"] == seller.id
    assert line["outcome"] == "ok"
    assert line["status"] == 200
    assert line["sql_statements"] >= 1
    assert line["duration_ms"] > 0
    assert line["level"] == "INFO"


@pytest.fixture
async def tiny_pool_app(database_url: str) -> AsyncIterator[Starlette]:
    environ = {"DB_POOL_MIN_SIZE": "1", "DB_POOL_MAX_SIZE": "1", "DB_ACQUIRE_TIMEOUT_S": "0.3"}
    application = create_app(gateway_settings(environ), url_with(database_url, user=SERVING_ROLE))
    async with application.router.lifespan_context(application):
        yield application


async def test_an_exhausted_pool_answers_fast_with_a_clear_error(
    tiny_pool_app: Starlette, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    transport = httpx.ASGITransport(app=tiny_pool_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        async with tiny_pool_app.state.pool.acquire():  # a slow request holds the only connection
            started = time.perf_counter()
            response = await post(client, seller.key, "{ viewer { id } }")
            elapsed = time.perf_counter() - started
        assert response.status_code == 503
        assert response.headers["retry-after"] == "1"
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert "busy" in error["message"]
        assert elapsed < 3  # the acquire timeout (0.3 s), not a queue without end
        assert (await post(client, seller.key, "{ viewer { id } }")).status_code == 200
