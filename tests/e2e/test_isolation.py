"""Tenant isolation: whatever a producer asks, with whatever ids, nothing of another producer comes back
or changes. Two seeded producers with data of every kind."""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import NewDatabase
from tests.factories.demo import seeded_database
from tests.graphql import running_gateway

TABLES = {
    "Producer": "producers", "Product": "products", "Buyer": "buyers", "Affiliate": "affiliates",
    "Sale": "sales", "LostSale": "lost_sales", "Refund": "refunds", "Subscription": "subscriptions",
    "Affiliation": "affiliations", "StatementEntry": "statement_entries", "Withdrawal": "withdrawals",
    "Prepayment": "prepayments", "Receipt": "receipts",
}  # fmt: skip

EVERYTHING = """
query Everything($p: DateRangeInput!) {
  viewer { id }
  salesManagement { sales { currency count } lostSales { count } }
  sales(first: 40) { nodes { id product { id } buyer { id } affiliate { id } refunds { id sale { id } }
         subscription { id subscriber { id } product { id } charges(first: 3) { nodes { id } } }
         recoveredFrom { id product { id } buyer { id } recoveredBy { id } } } }
  lostSales(first: 40) { nodes { id product { id } buyer { id } recoveredBy { id } } }
  refunds(first: 40) { nodes { id sale { id buyer { id } } } }
  subscriptions(first: 40) { nodes { id subscriber { id } product { id } charges(first: 5) { nodes { id } } } }
  affiliations(first: 40) { nodes { id affiliate { id } product { id } performance(period: $p) { sales } } }
  products(first: 40) { nodes { id } }
  balances { currency total { amount } }
  statement(first: 40) { nodes { id sale { id } withdrawal { id } } }
  withdrawals(first: 40) { nodes { id } }
  prepayments(first: 40) { nodes { id } }
  receipts(first: 40) { nodes { id affiliate { id } } }
  subscriptionSummary(period: $p) { active }
  reports { productRevenue(period: $p) { product { id } } promotedProducts(period: $p) { product { id } } }
  strategies { code }
}
"""
PERIOD = {"from": "2025-01-01", "to": "2026-12-31"}


def gid(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def ids_in(body: Any) -> list[tuple[str, int]]:
    """Every global id anywhere in a response."""
    found: list[tuple[str, int]] = []
    if isinstance(body, dict):
        for key, value in body.items():
            if key == "id" and isinstance(value, str):
                try:
                    type_name, pk = base64.b64decode(value).decode().split(":")
                except (binascii.Error, UnicodeDecodeError, ValueError):
                    continue
                found.append((type_name, int(pk)))
            else:
                found.extend(ids_in(value))
    elif isinstance(body, list):
        for item in body:
            found.extend(ids_in(item))
    return found


async def owners(connection: asyncpg.Connection, ids: list[tuple[str, int]]) -> set[int]:
    """The producers the rows behind these ids belong to."""
    result: set[int] = set()
    by_type: dict[str, list[int]] = {}
    for type_name, pk in ids:
        by_type.setdefault(type_name, []).append(pk)
    for type_name, pks in by_type.items():
        table = TABLES[type_name]
        column = "id" if table == "producers" else "producer_id"
        rows = await connection.fetch(f"select distinct {column} from {table} where id = any($1::bigint[])", pks)
        result |= {row[0] for row in rows}
    return result


class Tenants:
    def __init__(self, url: str, keys: dict[int, str]) -> None:
        self.url = url
        self.keys = keys


@pytest.fixture(scope="module")
async def tenants(new_database: NewDatabase) -> Tenants:
    url, keys = await seeded_database(new_database, producers=3, sales=4_000, seed_value=5, keys_of=(1, 2))
    return Tenants(url, keys)


async def _app(url: str, environ: dict[str, str] | None = None) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(url, environ) as (_, client):
        yield client


@pytest.fixture(scope="module")
async def gateway(tenants: Tenants) -> AsyncIterator[httpx.AsyncClient]:
    # one document walks every root field and nested path: priced far above the default maximum
    async for client in _app(tenants.url, {"GATEWAY_MAX_QUERY_COST": "1000000"}):
        yield client


@pytest.fixture
async def owner(tenants: Tenants) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(tenants.url)
    try:
        yield connection
    finally:
        await connection.close()


async def _ask(client: httpx.AsyncClient, key: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {key}"}
    )
    return response.json()


async def test_every_root_field_and_nested_path_shows_only_ones_own_rows(
    gateway: httpx.AsyncClient, tenants: Tenants, owner: asyncpg.Connection
) -> None:
    for producer, key in tenants.keys.items():
        body = await _ask(gateway, key, EVERYTHING, {"p": PERIOD})
        assert "errors" not in body, body["errors"]
        ids = ids_in(body["data"])
        assert {type_name for type_name, _ in ids} >= {
            "Sale",
            "Product",
            "Buyer",
            "LostSale",
            "Refund",
            "StatementEntry",
        }
        assert await owners(owner, ids) == {producer}


async def _own_ids(owner: asyncpg.Connection, producer: int) -> dict[str, int]:
    found = {}
    for type_name, table in TABLES.items():
        column = "id" if table == "producers" else "producer_id"
        found[type_name] = await owner.fetchval(f"select min(id) from {table} where {column} = $1", producer)
    return found


async def test_node_of_another_producer_answers_like_a_missing_id(
    gateway: httpx.AsyncClient, tenants: Tenants, owner: asyncpg.Connection
) -> None:
    theirs = await _own_ids(owner, 1)
    query = "query ($id: ID!) { node(id: $id) { id __typename } }"
    for type_name, pk in theirs.items():
        assert pk is not None, type_name
        own = await _ask(gateway, tenants.keys[1], query, {"id": gid(type_name, pk)})
        assert own["data"] == {"node": {"id": gid(type_name, pk), "__typename": type_name}}
        foreign = await _ask(gateway, tenants.keys[2], query, {"id": gid(type_name, pk)})
        missing = await _ask(gateway, tenants.keys[2], query, {"id": gid(type_name, 2**62)})
        assert foreign == missing, type_name  # the whole answer, its cost included
        assert foreign["data"] == {"node": None}, type_name


async def test_filters_with_another_producers_ids_answer_like_missing_ids(
    gateway: httpx.AsyncClient, tenants: Tenants, owner: asyncpg.Connection
) -> None:
    theirs = await _own_ids(owner, 1)
    product, affiliate = gid("Product", theirs["Product"]), gid("Affiliate", theirs["Affiliate"])
    missing_product, missing_affiliate = gid("Product", 2**62), gid("Affiliate", 2**62)
    query = """
    query ($products: [ID!], $affiliate: ID) {
      sales(filter: {productIds: $products}) { totalCount }
      byAffiliate: sales(filter: {affiliateId: $affiliate}) { totalCount }
      lostSales(filter: {productIds: $products}) { totalCount }
      subscriptions(filter: {productIds: $products}) { totalCount }
      affiliations(filter: {productIds: $products, affiliateId: $affiliate}) { totalCount }
    }
    """
    foreign = await _ask(gateway, tenants.keys[2], query, {"products": [product], "affiliate": affiliate})
    missing = await _ask(
        gateway, tenants.keys[2], query, {"products": [missing_product], "affiliate": missing_affiliate}
    )
    assert foreign == missing
    assert all(value["totalCount"] == 0 for value in foreign["data"].values())
    # and the owner does find rows with the same filters
    own = await _ask(gateway, tenants.keys[1], query, {"products": [product], "affiliate": affiliate})
    assert own["data"]["sales"]["totalCount"] > 0


MUTATIONS = {
    "Withdrawal": "mutation ($id: ID!) { cancelWithdrawal(id: $id) { withdrawal { id } userErrors { code field } } }",
    "Refund": "mutation ($id: ID!) { approveRefund(id: $id) { refund { id } userErrors { code field } } }",
    "Refund ": 'mutation ($id: ID!) { denyRefund(id: $id, reason: "no") { refund { id } userErrors { code field } } }',
    "Subscription": "mutation ($id: ID!) { cancelSubscription(id: $id) { subscription { id } userErrors { code field } } }",
    "Subscription ": "mutation ($id: ID!) { reactivateSubscription(id: $id) { subscription { id } userErrors { code field } } }",
    "Affiliation": "mutation ($id: ID!) { approveAffiliation(id: $id) { affiliation { id } userErrors { code field } } }",
    "Affiliation ": "mutation ($id: ID!) { rejectAffiliation(id: $id) { affiliation { id } userErrors { code field } } }",
    "Affiliation  ": "mutation ($id: ID!) { blockAffiliation(id: $id) { affiliation { id } userErrors { code field } } }",
    "Receipt": "mutation ($id: ID!) { acceptReceipt(id: $id) { receipt { id } userErrors { code field } } }",
    "Receipt ": 'mutation ($id: ID!) { rejectReceipt(id: $id, reason: "no") { receipt { id } userErrors { code field } } }',
}  # fmt: skip


async def test_mutations_on_another_producers_ids_answer_like_missing_ids_and_change_nothing(
    gateway: httpx.AsyncClient, tenants: Tenants, owner: asyncpg.Connection
) -> None:
    for label, mutation in MUTATIONS.items():
        type_name = label.strip()
        table = TABLES[type_name]
        row = await owner.fetchrow(f"select * from {table} where producer_id = 1 order by id limit 1")
        assert row is not None, table
        foreign = await _ask(gateway, tenants.keys[2], mutation, {"id": gid(type_name, row["id"])})
        missing = await _ask(gateway, tenants.keys[2], mutation, {"id": gid(type_name, 2**62)})
        assert foreign == missing, label
        payload = next(iter(foreign["data"].values()))
        assert payload["userErrors"] == [{"code": "NOT_FOUND", "field": ["id"]}]
        assert await owner.fetchrow(f"select * from {table} where id = $1", row["id"]) == row


async def test_a_thousand_interleaved_requests_over_two_connections(
    tenants: Tenants, owner: asyncpg.Connection
) -> None:
    query = (
        "{ viewer { id } sales(first: 5) { nodes { id product { id } buyer { id } } }"
        " lostSales(first: 3) { nodes { id } } statement(first: 3) { nodes { id } } }"
    )
    environ = {"DB_POOL_MIN_SIZE": "2", "DB_POOL_MAX_SIZE": "2", "DB_ACQUIRE_TIMEOUT_S": "30"}
    async for client in _app(tenants.url, environ):
        producers = [1 + n % 2 for n in range(1000)]
        for start in range(0, len(producers), 50):
            batch = producers[start : start + 50]
            bodies = await asyncio.gather(*(_ask(client, tenants.keys[p], query) for p in batch))
            for producer, body in zip(batch, bodies, strict=True):
                assert "errors" not in body, body
                assert body["data"]["viewer"]["id"] == gid("Producer", producer)
                assert await owners(owner, ids_in(body["data"])) == {producer}
