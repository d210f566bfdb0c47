"""The calculated cost of a document: declared next to the fields, computed before it runs, on every answer,
and a document above the maximum refused before any SQL."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
import pytest

from gateway.http.pages import STATIC_DIR
from schema import schema
from tests.factories.producers import Seller, make_seller
from tests.factories.sales import make_sale
from tests.factories.subscriptions import make_subscription
from tests.graphql import post
from tests.settings import ROOMY_COST_BUDGET

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = json.loads((STATIC_DIR / "graphiql" / "examples.json").read_text())["examples"]
ROOMY_BUCKET = int(ROOMY_COST_BUDGET["GATEWAY_COST_BUCKET_SIZE"])
PERIOD = {"period": {"from": "2026-01-01", "to": "2026-01-31"}}

# documents and their costs counted by hand (objects 1, scalars 0, totalCount 2, aggregates 5, mutations 10;
# a page's items as many times as it asks for, 20 when it does not say)
HAND_COUNTED = [
    # viewer 1; sales 1 + totalCount 2 + 10 x (edge 1 + node 1 + product 1)
    ("{ viewer { name } sales(first: 10) { totalCount edges { cursor node { id product { name } } } } }", None, 34),
    # salesManagement 5 + period 1 + sales 1 + lostSales 1 + potentialRevenue 1
    ("{ salesManagement { period { from } sales { count } lostSales { potentialRevenue { amount } } } }", None, 9),
    # subscriptions 1 + 20 (default page) x (node 1 + statusHistory 1 + 3 x (node 1)); pageInfo 1
    (
        "{ subscriptions { pageInfo { hasNextPage } nodes { statusHistory(first: 3) { nodes { status } } } } }",
        None,
        1 + 1 + 20 * (1 + 1 + 3 * 1),
    ),
    # the page size from a variable: sales 1 + 7 x (node 1)
    ("query ($n: Int!) { sales(last: $n) { nodes { id } } }", {"n": 7}, 8),
    # from the variable's default when it is not sent, from the variable when it is
    ("query ($n: Int = 4) { sales(first: $n) { nodes { id } } }", None, 5),
    ("query ($n: Int = 4) { sales(first: $n) { nodes { id } } }", {"n": 2}, 3),
    # a page selected through a fragment on the connection counts as a page: sales 1 + 5 x (node 1)
    ("{ sales(first: 5) { ...Page } } fragment Page on SaleConnection { nodes { id } }", None, 6),
    # a fragment counts where it is spread: viewer 1 + balances 2 + 1 (the list's objects: one entry)
    ("{ viewer { ...V } balances { ...B } } fragment V on Producer { name } fragment B on Balance { id }", None, 3),
    # a mutation 10 (its payload included: a declared cost is the field's whole own cost) + withdrawal 1 +
    # balance 1 + userErrors 1
    (
        'mutation { requestWithdrawal(input: {amount: "1.00", currency: BRL, idempotencyKey: "k"}) {'
        " withdrawal { id } balance { id } userErrors { code } } }",
        None,
        13,
    ),
]


# the GraphiQL examples (gateway/http/static/graphiql/examples.json), counted by hand
EXAMPLES_COUNTED = {
    # viewer 1; salesManagement 5 + period 1 + sales 1 + grossRevenue 1 + netRevenue 1 + lostSales 1 +
    # potentialRevenue 1
    "SalesManagement": 12,
    # sales 1 + totalCount 2 + pageInfo 1 + 10 (`$first`'s default) x (node 1 + product 1 + buyer 1 +
    # grossAmount 1 + netAmount 1)
    "MySales": 54,
    # balances 2 + available, pending, blocked, total 4; statement 1 + 10 x (node 1 + amount 1 + balanceAfter 1);
    # withdrawals 1 + 5 x (node 1 + amount 1)
    "Balance": 48,
    # receipts 1 + totalCount 2 + 10 x (node 1 + affiliate 1 + amount 1 + period 1)
    "Receipts": 43,
    # refunds 1 + totalCount 2 + 10 x (node 1 + amount 1 + sale 1 + buyer 1)
    "Refunds": 43,
    # subscriptionSummary 5 + period 1 + monthlyRecurringRevenue 1; subscriptions 1 + totalCount 2 + 10 x
    # (node 1 + price 1 + subscriber 1)
    "Subscriptions": 40,
    # strategies 10
    "Strategies": 10,
    # affiliations 1 + totalCount 2 + 10 x (node 1 + affiliate 1 + product 1 + performance 5 + revenue 1 +
    # commission 1)
    "Affiliations": 103,
    # reports 1 + 4 reports x 5 + grossRevenue 1 + revenue 1 + revenue 1
    "Reports": 24,
    # lostSales 1 + totalCount 2 + 10 x (node 1 + product 1 + buyer 1 + potentialRevenue 1); reports 1 +
    # purchaseRecovery 5 + recoveredRevenue 1
    "RecoverSales": 50,
}


def test_every_graphiql_examples_cost_is_its_hand_count() -> None:
    computed = {}
    for example in EXAMPLES:
        costed = schema.costed(example["query"], None, PERIOD)
        assert costed is not None
        assert costed.operation.name is not None
        computed[costed.operation.name.value] = costed.requested
    assert computed == EXAMPLES_COUNTED


@pytest.mark.parametrize(("query", "variables", "counted"), HAND_COUNTED)
def test_the_computed_cost_is_the_hand_count(query: str, variables: dict[str, int] | None, counted: int) -> None:
    costed = schema.costed(query, None, variables)
    assert costed is not None
    assert costed.requested == counted


def test_the_readme_lists_every_graphiql_examples_cost() -> None:
    readme = (ROOT / "README.md").read_text()
    for example in EXAMPLES:
        costed = schema.costed(example["query"], None, PERIOD)
        assert costed is not None
        name = costed.operation.name.value if costed.operation.name else ""
        assert re.search(rf"\| `{name}` \| {costed.requested} \|", readme), f"README: | `{name}` | {costed.requested} |"


@pytest.fixture
async def seller(connection: asyncpg.Connection) -> Seller:
    seller = await make_seller(connection)
    for day in (1, 2, 3):
        await make_sale(connection, seller, created_at=datetime(2026, 11, day, tzinfo=UTC))
    return seller


async def test_every_answer_carries_what_was_asked_and_what_came_back(
    client: httpx.AsyncClient, seller: Seller
) -> None:
    query = "{ sales(first: 50) { nodes { id product { name } } } }"
    body = (await post(client, seller.key, query)).json()
    assert len(body["data"]["sales"]["nodes"]) == 3
    # asked: sales 1 + 50 x (node 1 + product 1); came back: 1 + 3 x 2
    cost = body["extensions"]["cost"]
    assert cost.pop("throttleStatus")["maximumAvailable"] == ROOMY_BUCKET  # tests/e2e/test_throttling.py
    assert cost == {"requestedQueryCost": 101, "actualQueryCost": 7, "maximumQueryCost": 1000}
    stock = (await post(client, seller.key, "{ viewer { nope } }")).json()  # refused by validation
    assert stock["extensions"]["cost"]["actualQueryCost"] == 0


async def test_a_document_above_the_maximum_is_refused_before_any_sql(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    page = "nodes { product { name } buyer { name } affiliate { name } subscription { id } }"
    expensive = f"{{ a: sales(first: 100) {{ {page} }} b: sales(first: 100) {{ {page} }} }}"  # 2 x 501
    await post(client, seller.key, "{ viewer { name } }")  # the key is remembered: no SQL to authenticate it
    # every request that runs checks its key in its first statement: with the keys locked, it would wait
    transaction = connection.transaction()
    await transaction.start()
    try:
        await connection.execute("lock table api_keys in access exclusive mode")
        response = await asyncio.wait_for(post(client, seller.key, expensive), 5)
    finally:
        await transaction.rollback()
    body = response.json()
    assert response.status_code == 200
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    cost = error["extensions"]["cost"]
    assert cost == body["extensions"]["cost"]
    assert cost["throttleStatus"]["currentlyAvailable"] == ROOMY_BUCKET  # nothing taken
    del cost["throttleStatus"]
    assert cost == {"requestedQueryCost": 1002, "actualQueryCost": 0, "maximumQueryCost": 1000}
    assert "x-sql-statements" not in response.headers


async def test_the_actual_cost_counts_each_items_own_page(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    await make_subscription(connection, seller, started_at=datetime(2026, 10, 1, tzinfo=UTC), status="ACTIVE")
    await make_subscription(connection, seller, started_at=datetime(2026, 10, 2, tzinfo=UTC), status="STARTED")
    query = "{ subscriptions(first: 5) { nodes { statusHistory(first: 10) { nodes { status } } } } }"
    body = (await post(client, seller.key, query)).json()
    histories = [len(node["statusHistory"]["nodes"]) for node in body["data"]["subscriptions"]["nodes"]]
    assert sorted(histories) == [1, 2]  # STARTED; STARTED then ACTIVE
    # asked: 1 + 5 x (1 + 1 + 10 x 1); came back: 1 + (1 + 1 + 1) + (1 + 1 + 2)
    assert body["extensions"]["cost"]["requestedQueryCost"] == 61
    assert body["extensions"]["cost"]["actualQueryCost"] == 8
