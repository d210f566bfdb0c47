"""The sales list: figures equal to the rows, keyset pagination both ways, filters, bounded SQL."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories.catalog import make_affiliate
from tests.factories.producers import Seller, make_seller
from tests.factories.sales import bulk_sales, make_sale
from tests.factories.subscriptions import make_subscription
from tests.graphql import data_of, post

BASE = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SALE_COUNT = 1500


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


@pytest.fixture(scope="module")
async def seller(database_url: str) -> Seller:
    """A seller with many varied sales, made once for the module."""
    connection = await asyncpg.connect(database_url)
    try:
        seller = await make_seller(connection)
        await bulk_sales(connection, seller, SALE_COUNT, base=BASE)
        # the newest sale has every relation, so that every loader runs whatever the page size
        newest = await make_sale(connection, seller, created_at=BASE + timedelta(hours=1))
        affiliate = await make_affiliate(connection, seller.id)
        subscription = await make_subscription(connection, seller, started_at=BASE)
        await connection.execute(
            "update sales set affiliate_id = $2, subscription_id = $3 where id = $1", newest, affiliate, subscription
        )
        await connection.execute(
            "insert into refunds (producer_id, sale_id, amount, currency, status, requested_at) "
            "values ($1, $2, 5, 'BRL', 'REQUESTED', $3)",
            seller.id,
            newest,
            BASE,
        )
        await connection.execute(
            "insert into lost_sales (producer_id, reason, product_id, buyer_id, currency, amount, created_at, "
            "recovered_sale_id) values ($1, 'PIX_EXPIRED', $2, $3, 'BRL', 100, $4, $5)",
            seller.id,
            seller.product_id,
            seller.buyer_id,
            BASE,
            newest,
        )
        return seller
    finally:
        await connection.close()


async def _rows(connection: asyncpg.Connection, seller: Seller) -> list[asyncpg.Record]:
    return await connection.fetch("select * from sales where producer_id = $1", seller.id)


NESTED = """
query ($first: Int!) {
  sales(first: $first) {
    nodes {
      transactionCode
      product { name } buyer { email } affiliate { name } refunds { status }
      subscription { product { name } } recoveredFrom { reason }
    }
  }
}
"""


async def test_sql_statements_do_not_grow_with_the_page_size(client: httpx.AsyncClient, seller: Seller) -> None:
    counts = {}
    for first in (1, 10, 100):
        response = await post(client, seller.key, NESTED, {"first": first})
        body = response.json()
        assert "errors" not in body, body
        assert len(body["data"]["sales"]["nodes"]) == first
        counts[first] = int(response.headers["x-sql-statements"])
    assert counts[1] == counts[10] == counts[100], counts
    # the page, then at most one batch per relation: product, buyer, affiliate, refunds, subscription,
    # the subscription's product (cached here: the same product) and recoveredFrom
    assert counts[1] <= 8


PAGE = """
query ($first: Int, $after: String, $last: Int, $before: String, $orderBy: SaleOrder, $filter: SaleFilter) {
  sales(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, filter: $filter) {
    edges { cursor node { id } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def _walk(client: httpx.AsyncClient, key: str, variables: dict[str, Any], *, backward: bool) -> list[int]:
    """Every page of a list, forward with `first` or backward with `last`; the ids in list order."""
    seen: list[int] = []
    cursor = None
    while True:
        page_variables = dict(variables)
        if backward:
            page_variables.update(last=97, before=cursor)
        else:
            page_variables.update(first=97, after=cursor)
        connection = (await data_of(client, key, PAGE, page_variables))["sales"]
        ids = [pk(edge["node"]["id"]) for edge in connection["edges"]]
        info = connection["pageInfo"]
        if ids:
            assert info["startCursor"] == connection["edges"][0]["cursor"]
            assert info["endCursor"] == connection["edges"][-1]["cursor"]
        seen = ids + seen if backward else seen + ids
        more = info["hasPreviousPage"] if backward else info["hasNextPage"]
        if not more:
            return seen
        cursor = info["startCursor"] if backward else info["endCursor"]


@pytest.mark.parametrize(
    ("field", "direction"),
    [("CREATED_AT", "DESC"), ("CREATED_AT", "ASC"), ("GROSS_AMOUNT", "DESC"), ("GROSS_AMOUNT", "ASC")],
)
async def test_every_page_both_ways_sees_each_sale_once(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller, field: str, direction: str
) -> None:
    rows = await _rows(connection, seller)
    column = "created_at" if field == "CREATED_AT" else "gross_amount"
    variables: dict[str, Any] = {"orderBy": {"field": field, "direction": direction}}
    if field == "GROSS_AMOUNT":  # amounts compare within one currency: ordering by them names it
        variables["filter"] = {"currency": "BRL"}
        rows = [row for row in rows if row["currency"] == "BRL"]
    expected = [row["id"] for row in sorted(rows, key=lambda row: (row[column], row["id"]))]
    if direction == "DESC":
        expected.reverse()
    assert await _walk(client, seller.key, variables, backward=False) == expected
    assert await _walk(client, seller.key, variables, backward=True) == expected


FIELDS = """
query ($first: Int) {
  sales(first: $first) {
    totalCount
    nodes {
      id transactionCode status paymentMethod installments device source offerCode createdAt approvedAt
      grossAmount { amount currency } fees { amount } taxes { amount } affiliateCommission { amount }
      netAmount { amount currency } recovered
    }
  }
}
"""


async def test_sale_fields_equal_the_rows(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    rows = {row["id"]: row for row in await _rows(connection, seller)}
    recovered = {
        row["recovered_sale_id"]
        for row in await connection.fetch(
            "select recovered_sale_id from lost_sales where producer_id = $1 and recovered_sale_id is not null",
            seller.id,
        )
    }
    sales = (await data_of(client, seller.key, FIELDS, {"first": 100}))["sales"]
    assert sales["totalCount"] == len(rows)
    for node in sales["nodes"]:
        row = rows[pk(node["id"])]
        assert node["transactionCode"] == row["transaction_code"]
        assert node["status"] == row["status"]
        assert node["paymentMethod"] == row["payment_method"]
        assert node["grossAmount"] == {"amount": str(row["gross_amount"]), "currency": row["currency"]}
        assert node["netAmount"]["amount"] == str(
            row["gross_amount"] - row["fees"] - row["taxes"] - row["affiliate_commission"]
        )
        assert node["fees"]["amount"] == str(row["fees"])
        assert datetime.fromisoformat(node["createdAt"]) == row["created_at"]
        assert node["recovered"] == (row["id"] in recovered)


FILTERS: list[tuple[dict[str, Any], Callable[[asyncpg.Record, dict[str, Any]], bool]]] = [
    ({"status": ["APPROVED", "COMPLETE"]}, lambda row, _: row["status"] in ("APPROVED", "COMPLETE")),
    ({"paymentMethods": ["PIX"]}, lambda row, _: row["payment_method"] == "PIX"),
    ({"currency": "USD"}, lambda row, _: row["currency"] == "USD"),
    (
        {"createdFrom": "2025-05-30T00:00:00+00:00", "createdTo": "2025-05-31T00:00:00+00:00"},
        lambda row, _: datetime(2025, 5, 30, tzinfo=UTC) <= row["created_at"] < datetime(2025, 5, 31, tzinfo=UTC),
    ),
    ({"recovered": True}, lambda row, ctx: row["id"] in ctx["recovered"]),
    ({"recovered": False}, lambda row, ctx: row["id"] not in ctx["recovered"]),
    ({"affiliateId": "AFFILIATE"}, lambda row, ctx: row["affiliate_id"] == ctx["affiliate"]),
    ({"search": "BULK"}, lambda row, _: False),  # codes match exactly, not by prefix; the buyer is "Buyer n"
    (
        {"status": ["APPROVED"], "currency": "BRL"},
        lambda row, _: (row["status"], row["currency"]) == ("APPROVED", "BRL"),
    ),
]


@pytest.mark.parametrize(("sale_filter", "keep"), FILTERS)
async def test_filters_select_exactly_the_matching_rows(
    client: httpx.AsyncClient,
    connection: asyncpg.Connection,
    seller: Seller,
    sale_filter: dict[str, Any],
    keep: Callable[[asyncpg.Record, dict[str, Any]], bool],
) -> None:
    rows = await _rows(connection, seller)
    recovered = {
        r["recovered_sale_id"]
        for r in await connection.fetch("select recovered_sale_id from lost_sales where producer_id = $1", seller.id)
    }
    affiliate = await connection.fetchval(
        "select min(affiliate_id) from sales where producer_id = $1 and affiliate_id is not null", seller.id
    )
    if sale_filter.get("affiliateId") == "AFFILIATE":
        sale_filter = {"affiliateId": base64.b64encode(f"Affiliate:{affiliate}".encode()).decode()}
    context = {"recovered": recovered, "affiliate": affiliate}
    expected = sorted((row["id"] for row in rows if keep(row, context)), key=lambda i: i)
    walked = await _walk(client, seller.key, {"filter": sale_filter}, backward=False)
    assert sorted(walked) == expected


async def test_search_by_transaction_code_and_buyer(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    code = await connection.fetchval("select transaction_code from sales where producer_id = $1 limit 1", seller.id)
    email = await connection.fetchval("select email from buyers where id = $1", seller.buyer_id)
    by_code = await _walk(client, seller.key, {"filter": {"search": code}}, backward=False)
    assert len(by_code) == 1
    by_email = await _walk(client, seller.key, {"filter": {"search": email.upper()[:8]}}, backward=False)
    by_exact_email = await _walk(client, seller.key, {"filter": {"buyerEmail": email.upper()}}, backward=False)
    assert sorted(by_email) == sorted(by_exact_email)
    assert len(by_email) == await connection.fetchval(
        "select count(*) from sales where producer_id = $1 and buyer_id = $2", seller.id, seller.buyer_id
    )
    assert await _walk(client, seller.key, {"filter": {"search": "%"}}, backward=False) == []


async def test_sale_by_transaction_code(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    code = await connection.fetchval("select transaction_code from sales where producer_id = $1 limit 1", seller.id)
    query = "query ($code: String!) { sale(transactionCode: $code) { transactionCode } }"
    assert (await data_of(client, seller.key, query, {"code": code}))["sale"] == {"transactionCode": code}
    assert (await data_of(client, seller.key, query, {"code": "NOPE"}))["sale"] is None
    other = await make_seller(connection)
    assert (await data_of(client, other.key, query, {"code": code}))["sale"] is None


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 0}, "between 1 and 100"),
        ({"first": 101}, "between 1 and 100"),
        ({"first": -1}, "between 1 and 100"),
        ({"last": 101}, "between 1 and 100"),
        ({"first": 5, "last": 5}, "not both"),
        ({"after": "not-a-cursor"}, "Invalid cursor"),
        (
            {
                "after": base64.urlsafe_b64encode(
                    b'["refunds:requested_at:desc","2020-01-01T00:00:00+00:00",1]'
                ).decode()
            },
            "another list",
        ),
        ({"first": 5, "before": "x"}, "with `after`"),
    ],
)
async def test_bad_page_arguments_are_bad_user_input(
    client: httpx.AsyncClient, seller: Seller, variables: dict[str, Any], message: str
) -> None:
    body = (await post(client, seller.key, PAGE, variables)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in body["errors"][0]["message"]


async def test_total_count_is_only_computed_when_selected(client: httpx.AsyncClient, seller: Seller) -> None:
    without = await post(client, seller.key, "{ sales(first: 5) { nodes { id } } }")
    with_count = await post(client, seller.key, "{ sales(first: 5) { totalCount nodes { id } } }")
    assert int(with_count.headers["x-sql-statements"]) == int(without.headers["x-sql-statements"]) + 1
