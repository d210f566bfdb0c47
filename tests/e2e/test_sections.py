"""Lost sales, refunds, subscriptions, affiliations and products: figures equal to the rows, pages walk."""

from __future__ import annotations

import base64
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories.producers import Seller, make_seller
from tests.graphql import data_of, post

BASE = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
BUYERS = 700


def pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


def gid(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


@pytest.fixture(scope="module")
async def seller(database_url: str) -> Seller:
    """Hundreds of buyers, each with lost attempts, sales, refunds, subscriptions and affiliations."""
    connection = await asyncpg.connect(database_url)
    try:
        seller = await make_seller(connection)
        await connection.execute(
            """
            insert into buyers (producer_id, name, email)
            select $1, 'Bulk buyer ' || i, 'bulk' || i || '@example.com' from generate_series(1, $2::int) i;

            """.replace(";", ""),
            seller.id,
            BUYERS,
        )
        await connection.execute(
            """
            insert into affiliates (producer_id, name, email)
            select $1, 'Bulk affiliate ' || i, 'aff' || i || '@example.com' from generate_series(1, 40) i
            """,
            seller.id,
        )
        # lost attempts: 1 to 3 per buyer on the seller's product, same instant for some (ties)
        await connection.execute(
            """
            insert into lost_sales (producer_id, reason, product_id, buyer_id, currency, amount, created_at)
            select $1, (array['CARD_DECLINED','PIX_EXPIRED','ABANDONED_CHECKOUT'])[1 + attempt],
                   $2, b.id, case when b.id % 4 = 0 then 'USD' else 'BRL' end, 50 + attempt,
                   $3::timestamptz - (b.id % 97) * interval '1 hour' + attempt * interval '1 minute'
            from buyers b cross join generate_series(0, 2) attempt
            where b.producer_id = $1 and attempt <= b.id % 3
            """,
            seller.id,
            seller.product_id,
            BASE,
        )
        # every 5th buyer later bought: a made sale that recovered their attempts
        await connection.execute(
            """
            with made as (
                insert into sales (producer_id, transaction_code, status, product_id, buyer_id, payment_method,
                                   currency, gross_amount, fees, taxes, affiliate_commission, net_amount,
                                   created_at, approved_at, affiliate_id)
                select $1, 'SEC' || b.id, 'APPROVED', $2, b.id, 'PIX', 'BRL', 80, 8, 0, 4, 68,
                       $3::timestamptz + interval '1 day', $3::timestamptz + interval '1 day',
                       (select min(id) from affiliates a where a.producer_id = $1)
                from buyers b where b.producer_id = $1 and b.id % 5 = 0
                returning id, buyer_id
            )
            update lost_sales l set recovered_sale_id = made.id
            from made where l.producer_id = $1 and l.buyer_id = made.buyer_id
            """,
            seller.id,
            seller.product_id,
            BASE,
        )
        await connection.execute(
            """
            insert into refunds (producer_id, sale_id, amount, currency, status, requested_at, resolved_at)
            select producer_id, id, 10, currency, (array['REQUESTED','APPROVED','DENIED'])[1 + id % 3],
                   created_at - (id % 50) * interval '1 hour', case when id % 3 <> 0 then created_at end
            from sales where producer_id = $1
            """,
            seller.id,
        )
        await connection.execute(
            """
            insert into subscriptions (producer_id, buyer_id, product_id, plan_name, price, currency, status,
                                       started_at, cancelled_at, recurrence)
            select $1, b.id, $2, 'Monthly', 19.90 + (b.id % 3), case when b.id % 6 = 0 then 'EUR' else 'BRL' end,
                   case when b.id % 4 = 0 then 'CANCELLED_BY_CUSTOMER'
                        when b.id % 9 = 0 then 'INACTIVE' else 'ACTIVE' end,
                   $3::timestamptz - (b.id % 120) * interval '1 day',
                   case when b.id % 4 = 0 then $3::timestamptz - (b.id % 30) * interval '1 day' end,
                   b.id % 12
            from buyers b where b.producer_id = $1
            """,
            seller.id,
            seller.product_id,
            BASE,
        )
        await connection.execute(
            """
            insert into affiliations (producer_id, affiliate_id, product_id, status, commission_rate, applied_at,
                                      decided_at)
            select $1, a.id, $2, case when a.id % 3 = 0 then 'PENDING' else 'ACTIVE' end, 30,
                   $3::timestamptz - (a.id % 10) * interval '1 day',
                   case when a.id % 3 <> 0 then $3::timestamptz end
            from affiliates a where a.producer_id = $1
            """,
            seller.id,
            seller.product_id,
            BASE,
        )
        return seller
    finally:
        await connection.close()


async def _walk(
    client: httpx.AsyncClient,
    key: str,
    field: str,
    selection: str,
    *,
    backward: bool = False,
    size: int = 83,
    arguments: str = "",
    variables: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """All nodes of a root connection, page by page."""
    direction = "last: $size, before: $cursor" if backward else "first: $size, after: $cursor"
    query = (
        f"query ($size: Int, $cursor: String{', ' + arguments if arguments else ''}) {{"
        f" {field}({direction}{', filter: $filter' if arguments else ''}) {{"
        f" nodes {{ {selection} }} pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}"
    )
    nodes: list[dict[str, Any]] = []
    cursor = None
    while True:
        connection = (await data_of(client, key, query, {"size": size, "cursor": cursor, **(variables or {})}))[field]
        nodes = connection["nodes"] + nodes if backward else nodes + connection["nodes"]
        info = connection["pageInfo"]
        if not (info["hasPreviousPage"] if backward else info["hasNextPage"]):
            return nodes
        cursor = info["startCursor"] if backward else info["endCursor"]


def _last_attempts(rows: list[asyncpg.Record]) -> list[asyncpg.Record]:
    """The lost-sale rule, in Python: the last attempt per buyer and product."""
    last: dict[tuple[int, int], asyncpg.Record] = {}
    for row in rows:
        key = (row["buyer_id"], row["product_id"])
        if key not in last or (row["created_at"], row["id"]) > (last[key]["created_at"], last[key]["id"]):
            last[key] = row
    return list(last.values())


async def test_lost_sales_are_last_attempts_newest_first_both_ways(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    rows = await connection.fetch("select * from lost_sales where producer_id = $1", seller.id)
    expected = [r["id"] for r in sorted(_last_attempts(rows), key=lambda r: (r["created_at"], r["id"]), reverse=True)]
    assert len(expected) == BUYERS + 1  # and the seller's first buyer
    selection = "id reason potentialRevenue { amount currency } recoveredBy { transactionCode } buyer { email }"
    forward = await _walk(client, seller.key, "lostSales", selection)
    backward = await _walk(client, seller.key, "lostSales", selection, backward=True)
    assert [pk(node["id"]) for node in forward] == expected
    assert [pk(node["id"]) for node in backward] == expected
    by_id = {row["id"]: row for row in rows}
    for node in forward:
        row = by_id[pk(node["id"])]
        assert node["potentialRevenue"] == {"amount": str(row["amount"]), "currency": row["currency"]}
        assert (node["recoveredBy"] is not None) == (row["recovered_sale_id"] is not None)


async def test_lost_sales_filters(client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller) -> None:
    rows = _last_attempts(await connection.fetch("select * from lost_sales where producer_id = $1", seller.id))
    cases = [
        ({"recovered": True}, lambda r: r["recovered_sale_id"] is not None),
        ({"recovered": False}, lambda r: r["recovered_sale_id"] is None),
        ({"currency": "USD"}, lambda r: r["currency"] == "USD"),
        ({"reasons": ["PIX_EXPIRED"]}, lambda r: r["reason"] == "PIX_EXPIRED"),
    ]
    for lost_filter, keep in cases:
        nodes = await _walk(
            client,
            seller.key,
            "lostSales",
            "id",
            arguments="$filter: LostSaleFilter",
            variables={"filter": lost_filter},
        )
        assert sorted(pk(node["id"]) for node in nodes) == sorted(r["id"] for r in rows if keep(r)), lost_filter


async def test_refunds_walk_with_actions_and_sales(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    rows = await connection.fetch("select * from refunds where producer_id = $1", seller.id)
    expected = [r["id"] for r in sorted(rows, key=lambda r: (r["requested_at"], r["id"]), reverse=True)]
    nodes = await _walk(
        client, seller.key, "refunds", "id status availableActions amount { amount } sale { id }", size=17
    )
    assert [pk(node["id"]) for node in nodes] == expected
    backward = await _walk(client, seller.key, "refunds", "id", size=17, backward=True)
    assert [pk(node["id"]) for node in backward] == expected
    by_id = {row["id"]: row for row in rows}
    for node in nodes:
        row = by_id[pk(node["id"])]
        assert node["status"] == row["status"]
        assert node["availableActions"] == (["APPROVE", "DENY"] if row["status"] == "REQUESTED" else [])
        assert pk(node["sale"]["id"]) == row["sale_id"]
    requested = await _walk(
        client,
        seller.key,
        "refunds",
        "id",
        arguments="$filter: RefundFilter",
        variables={"filter": {"status": ["REQUESTED"]}},
    )
    assert sorted(pk(n["id"]) for n in requested) == sorted(r["id"] for r in rows if r["status"] == "REQUESTED")


async def test_refund_actions_need_the_write_scope(connection: asyncpg.Connection, client: httpx.AsyncClient) -> None:
    reader = await make_seller(connection, scopes=["refunds:read", "sales:read"])
    sale = await connection.fetchval(
        "insert into sales (producer_id, transaction_code, status, product_id, buyer_id, payment_method, currency,"
        " gross_amount, fees, taxes, affiliate_commission, net_amount, created_at)"
        " values ($1, 'RO1', 'APPROVED', $2, $3, 'PIX', 'BRL', 10, 0, 0, 0, 10, now()) returning id",
        reader.id,
        reader.product_id,
        reader.buyer_id,
    )
    await connection.execute(
        "insert into refunds (producer_id, sale_id, amount, currency, status, requested_at)"
        " values ($1, $2, 10, 'BRL', 'REQUESTED', now())",
        reader.id,
        sale,
    )
    data = await data_of(client, reader.key, "{ refunds { nodes { availableActions } } }")
    assert data["refunds"]["nodes"] == [{"availableActions": []}]


async def test_subscriptions_walk_and_charges(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    rows = await connection.fetch("select * from subscriptions where producer_id = $1", seller.id)
    expected = [r["id"] for r in sorted(rows, key=lambda r: (r["started_at"], r["id"]), reverse=True)]
    selection = (
        "id status recurrence price { amount currency } subscriber { email }"
        " charges(first: 3) { totalCount nodes { id } }"
    )
    forward = await _walk(client, seller.key, "subscriptions", selection)
    assert [pk(node["id"]) for node in forward] == expected
    assert [
        pk(node["id"]) for node in await _walk(client, seller.key, "subscriptions", "id", backward=True)
    ] == expected
    charges = defaultdict(list)
    for row in await connection.fetch(
        "select id, subscription_id from sales where producer_id = $1 and subscription_id is not null", seller.id
    ):
        charges[row["subscription_id"]].append(row["id"])
    for node in forward:
        assert node["charges"]["totalCount"] == len(charges[pk(node["id"])])


async def test_subscription_summary_equals_the_rows(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    period = {"from": "2025-02-01", "to": "2025-02-28"}
    data = await data_of(
        client,
        seller.key,
        "query ($p: DateRangeInput) { subscriptionSummary(period: $p) { period { from to } active new cancelled"
        " monthlyRecurringRevenue { amount currency } } }",
        {"p": period},
    )
    summary = data["subscriptionSummary"]
    zone_start = datetime(2025, 2, 1, 3, 0, tzinfo=UTC)  # America/Sao_Paulo is UTC-3 (no DST in 2025)
    zone_end = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
    rows = await connection.fetch("select * from subscriptions where producer_id = $1", seller.id)
    active = [
        r
        for r in rows
        if r["started_at"] < zone_end
        and (r["cancelled_at"] is None or r["cancelled_at"] >= zone_end)
        and r["status"] != "INACTIVE"
    ]
    mrr: dict[str, Decimal] = defaultdict(Decimal)
    for r in active:
        mrr[r["currency"]] += r["price"]
    assert summary["period"] == period
    assert summary["active"] == len(active)
    assert summary["new"] == sum(zone_start <= r["started_at"] < zone_end for r in rows)
    assert summary["cancelled"] == sum(
        r["cancelled_at"] is not None and zone_start <= r["cancelled_at"] < zone_end for r in rows
    )
    assert {m["currency"]: Decimal(m["amount"]) for m in summary["monthlyRecurringRevenue"]} == dict(mrr)


async def test_affiliations_and_their_performance(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    rows = await connection.fetch("select * from affiliations where producer_id = $1", seller.id)
    period = {"from": "2025-03-01", "to": "2025-03-05"}
    nodes = await _walk(
        client,
        seller.key,
        "affiliations",
        "id status commissionRate affiliate { name } product { name }"
        ' performance(period: {from: "2025-03-01", to: "2025-03-05"})'
        " { sales revenue { amount currency } commission { amount } }",
    )
    assert sorted(pk(n["id"]) for n in nodes) == sorted(r["id"] for r in rows)
    sales = await connection.fetch(
        "select * from sales where producer_id = $1 and status in ('APPROVED', 'COMPLETE')"
        " and affiliate_id is not null",
        seller.id,
    )
    start, end = datetime(2025, 3, 1, 3, tzinfo=UTC), datetime(2025, 3, 6, 3, tzinfo=UTC)
    by_id = {r["id"]: r for r in rows}
    for node in nodes:
        row = by_id[pk(node["id"])]
        mine = [
            s
            for s in sales
            if s["affiliate_id"] == row["affiliate_id"]
            and s["product_id"] == row["product_id"]
            and start <= s["created_at"] < end
        ]
        assert node["performance"]["sales"] == len(mine)
        assert node["commissionRate"] == "30.00"
        if mine:
            assert node["performance"]["revenue"] == [
                {"amount": str(sum(s["gross_amount"] for s in mine)), "currency": "BRL"}
            ]
    assert any(node["performance"]["sales"] for node in nodes), period


async def test_products_page(client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller) -> None:
    data = await data_of(
        client, seller.key, "{ products(first: 10) { totalCount nodes { id name kind price { amount currency } } } }"
    )
    rows = await connection.fetch("select * from products where producer_id = $1", seller.id)
    assert data["products"]["totalCount"] == len(rows)
    assert [pk(n["id"]) for n in data["products"]["nodes"]] == [
        r["id"] for r in sorted(rows, key=lambda r: (r["created_at"], r["id"]), reverse=True)
    ]


NODE_SELECTION = "... on Node { id } __typename"


async def test_node_resolves_every_type_of_ones_own_and_nothing_of_others(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    other = await make_seller(connection)
    tables = {
        "Producer": "producers",
        "Product": "products",
        "Buyer": "buyers",
        "Affiliate": "affiliates",
        "Sale": "sales",
        "LostSale": "lost_sales",
        "Refund": "refunds",
        "Subscription": "subscriptions",
        "Affiliation": "affiliations",
    }
    query = "query ($id: ID!) { node(id: $id) { " + NODE_SELECTION + " } }"
    for type_name, table in tables.items():
        column = "id" if table == "producers" else "producer_id"
        own = await connection.fetchval(f"select min(id) from {table} where {column} = $1", seller.id)
        assert own is not None, table
        node = (await data_of(client, seller.key, query, {"id": gid(type_name, own)}))["node"]
        assert node == {"id": gid(type_name, own), "__typename": type_name}
        # the other seller asking for it gets exactly what a missing id gets
        foreign = await post(client, other.key, query, {"id": gid(type_name, own)})
        missing = await post(client, other.key, query, {"id": gid(type_name, 2**62)})
        assert foreign.json() == missing.json()  # the whole answer, its cost included
        assert foreign.json()["data"] == {"node": None}


@pytest.mark.parametrize(
    "bad_id", ["", "!!!", base64.b64encode(b"Nope:1").decode(), base64.b64encode(b"Sale:x").decode()]
)
async def test_malformed_node_ids_are_bad_user_input(client: httpx.AsyncClient, seller: Seller, bad_id: str) -> None:
    body = (await post(client, seller.key, "query ($id: ID!) { node(id: $id) { id } }", {"id": bad_id})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_the_statement_walks_both_ways(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    await connection.execute(
        "insert into statement_entries (producer_id, kind, currency, amount, description, occurred_at, available_at)"
        " select $1, 'SALE', 'BRL', i, 'walk', $2::timestamptz - (i % 37) * interval '1 hour', $2::timestamptz"
        " from generate_series(1, 400) i",
        seller.id,
        BASE,
    )
    rows = await connection.fetch("select id, occurred_at from statement_entries where producer_id = $1", seller.id)
    expected = [r["id"] for r in sorted(rows, key=lambda r: (r["occurred_at"], r["id"]), reverse=True)]
    forward = await _walk(client, seller.key, "statement", "id", size=29)
    backward = await _walk(client, seller.key, "statement", "id", size=29, backward=True)
    assert [pk(node["id"]) for node in forward] == expected
    assert [pk(node["id"]) for node in backward] == expected
