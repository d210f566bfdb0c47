"""API keys: only an active key of a producer opens the API, as that producer."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from gateway.http.auth import bearer_token
from loaders.api_keys import hash_key, revoke_key
from tests.factories.finance import make_funded_seller
from tests.factories.producers import make_seller
from tests.graphql import post

VIEWER = "{ viewer { id name } }"


def _assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body


async def test_missing_key_is_401(client: httpx.AsyncClient) -> None:
    _assert_unauthenticated(await post(client, None, VIEWER))


@pytest.mark.parametrize(
    "authorization",
    ["Bearer sgk_not-a-real-key", "Bearer ", "Basic dXNlcjpwYXNz", "sgk_without_scheme", "Bearer " + "x" * 5000],
)
async def test_unknown_or_malformed_key_is_401(client: httpx.AsyncClient, authorization: str) -> None:
    response = await client.post("/graphql", json={"query": VIEWER}, headers={"authorization": authorization})
    _assert_unauthenticated(response)


async def test_revoked_key_is_401(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection)
    assert (await post(client, seller.key, VIEWER)).status_code == 200
    key_id = await connection.fetchval("select id from api_keys where secret_hash = $1", hash_key(seller.key))
    assert await revoke_key(connection, key_id)
    assert not await revoke_key(connection, key_id)  # already revoked
    _assert_unauthenticated(await post(client, seller.key, VIEWER))


async def test_key_acts_for_its_own_producer(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    first, second = await make_seller(connection), await make_seller(connection)
    for seller in (first, second):
        response = await post(client, seller.key, VIEWER)
        name = await connection.fetchval("select name from producers where id = $1", seller.id)
        assert response.json()["data"]["viewer"]["name"] == name


def test_bearer_token_parsing() -> None:
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer  abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token(None) is None


async def test_a_remembered_key_revoked_cannot_write(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    """The key is remembered after its first request; revoked, its next request (a mutation, which writes
    before it reads) is refused before anything is written."""
    from tests.e2e.test_mutations import WITHDRAW

    seller = await make_funded_seller(connection)
    assert (await post(client, seller.key, VIEWER)).status_code == 200
    key_id = await connection.fetchval("select id from api_keys where secret_hash = $1", hash_key(seller.key))
    assert await revoke_key(connection, key_id)
    variables = {"input": {"amount": "10.00", "currency": "BRL", "idempotencyKey": "after-revocation"}}
    _assert_unauthenticated(await post(client, seller.key, WITHDRAW, variables))
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", seller.id) == 0
    assert await connection.fetchval("select count(*) from audit_log where producer_id = $1", seller.id) == 0


async def test_a_remembered_key_skips_the_lookup(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    """From its second request on, a key is not looked up but checked in the round trip that opens the
    transaction: with the lookup function out of reach, a remembered key still works."""
    remembered, new = await make_seller(connection), await make_seller(connection)
    assert (await post(client, remembered.key, VIEWER)).status_code == 200
    await connection.execute("revoke execute on function authenticate_api_key(bytea) from sales_gateway_app")
    try:
        for _ in range(3):
            response = await post(client, remembered.key, VIEWER)
            assert response.status_code == 200
            assert response.json()["data"]["viewer"]["id"]
    finally:
        await connection.execute("grant execute on function authenticate_api_key(bytea) to sales_gateway_app")
    assert (await post(client, new.key, VIEWER)).status_code == 200
