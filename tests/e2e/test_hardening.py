"""Production mode, scopes, and the statement timeout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest

from gateway.operations.database import SERVING_ROLE, url_with
from tests.factories.producers import make_seller
from tests.factories.sales import make_sale
from tests.graphql import post, running_gateway

INTROSPECTION = "{ __schema { queryType { name } } }"


async def _app_client(database_url: str, environ: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(database_url, environ, request_timeout_s=5) as (_, client):
        yield client


@pytest.fixture
async def production(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _app_client(
        database_url, {"GATEWAY_ENV": "production", "DATABASE_URL": url_with(database_url, user=SERVING_ROLE)}
    ):
        yield client


async def test_production_refuses_introspection_and_hides_suggestions(
    production: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    refused = (await post(production, seller.key, INTROSPECTION)).json()
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "introspection" in refused["errors"][0]["message"].lower()
    typo = (await post(production, seller.key, "{ viewer { nam } }")).json()
    assert "Did you mean" not in typo["errors"][0]["message"]
    assert (await production.get("/graphql", headers={"accept": "text/html"})).status_code == 404
    assert "x-sql-statements" not in (await post(production, seller.key, "{ viewer { id } }")).headers


async def test_development_allows_introspection_and_suggests(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    allowed = (await post(client, seller.key, INTROSPECTION)).json()
    assert allowed["data"]["__schema"]["queryType"]["name"] == "Query"
    typo = (await post(client, seller.key, "{ viewer { nam } }")).json()
    assert "Did you mean 'name'" in typo["errors"][0]["message"]


async def test_a_field_outside_the_keys_scopes_is_forbidden_and_the_rest_is_served(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection, scopes=["reports:read"])
    await make_sale(connection, seller, created_at=datetime.now(UTC))
    body = (
        await post(client, seller.key, "{ viewer { name } sales(first: 1) { nodes { id } } refunds { nodes { id } } }")
    ).json()
    assert body["data"]["viewer"]["name"].startswith("Seller")
    assert body["data"]["sales"] is None
    assert body["data"]["refunds"] is None
    forbidden = {tuple(error["path"]): error["extensions"]["code"] for error in body["errors"]}
    assert forbidden == {("sales",): "FORBIDDEN", ("refunds",): "FORBIDDEN"}


async def test_nested_fields_of_another_scope_are_forbidden(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection, scopes=["sales:read"])
    await make_sale(connection, seller, created_at=datetime.now(UTC))
    body = (await post(client, seller.key, "{ sales(first: 1) { nodes { transactionCode refunds { id } } } }")).json()
    node = body["data"]["sales"]["nodes"][0]
    assert node["transactionCode"]
    assert node["refunds"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["path"] == ["sales", "nodes", 0, "refunds"]


async def test_a_timed_out_statement_is_a_clear_error_and_the_pool_recovers(
    database_url: str, connection: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    from loaders.producers import ProducerByIdLoader

    seller = await make_seller(connection)
    original = ProducerByIdLoader.batch_load_fn
    slow = {"on": True}

    async def maybe_slow(self: ProducerByIdLoader, keys: list[int]) -> list[object]:
        if slow["on"]:
            await self.db.fetch("select pg_sleep(5)")
        return await original(self, keys)

    monkeypatch.setattr(ProducerByIdLoader, "batch_load_fn", maybe_slow)
    environ = {"DB_STATEMENT_TIMEOUT_MS": "200", "DB_POOL_MIN_SIZE": "1", "DB_POOL_MAX_SIZE": "1"}
    async for client in _app_client(database_url, environ):
        started = datetime.now(UTC)
        body = (await post(client, seller.key, "{ viewer { name } }")).json()
        assert (datetime.now(UTC) - started).total_seconds() < 4
        assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert "too long" in body["errors"][0]["message"]
        slow["on"] = False
        for _ in range(3):  # the single pooled connection is healthy again
            assert (await post(client, seller.key, "{ viewer { name } }")).json()["data"]["viewer"]["name"]
