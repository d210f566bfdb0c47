"""The finance read API equals an independent computation in Python from the raw rows.

Balances, the statement with its running balance, withdrawals, prepayments and receipts: rows are made by
hand through the owner connection, read back raw, and every figure the API returns is recomputed here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from resolvers.ids import to_global_id
from tests.factories.catalog import make_affiliate
from tests.factories.finance import make_entry, make_prepayment, make_receipt, make_withdrawal
from tests.factories.producers import Seller, make_seller
from tests.factories.sales import make_sale
from tests.graphql import data_of, post

BASE = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
FUTURE = datetime.now(UTC) + timedelta(days=30)  # far from the request's now(): never racy

MONEY = "{ amount currency }"
PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"

BALANCES = f"{{ balances {{ currency available {MONEY} pending {MONEY} blocked {MONEY} total {MONEY} }} }}"

STATEMENT = f"""
query ($first: Int, $after: String, $filter: StatementFilter) {{
  statement(first: $first, after: $after, filter: $filter) {{
    totalCount
    {PAGE_INFO}
    edges {{
      cursor
      node {{
        id kind amount {MONEY} balanceAfter {MONEY} description occurredAt availableAt
        sale {{ id transactionCode }}
        withdrawal {{ id status amount {MONEY} }}
      }}
    }}
  }}
}}
"""

WITHDRAWALS = f"""
query ($first: Int, $after: String, $filter: WithdrawalFilter) {{
  withdrawals(first: $first, after: $after, filter: $filter) {{
    totalCount
    {PAGE_INFO}
    edges {{ cursor node {{ id amount {MONEY} status requestedAt paidAt failureReason }} }}
  }}
}}
"""

PREPAYMENTS = f"""
query ($first: Int, $after: String) {{
  prepayments(first: $first, after: $after) {{
    totalCount
    {PAGE_INFO}
    edges {{ cursor node {{ id amount {MONEY} fee {MONEY} status createdAt }} }}
  }}
}}
"""

RECEIPTS = f"""
query ($first: Int, $after: String, $filter: ReceiptFilter) {{
  receipts(first: $first, after: $after, filter: $filter) {{
    totalCount
    {PAGE_INFO}
    edges {{
      cursor
      node {{ id number direction affiliate {{ id name email }} amount {MONEY} status period {{ from to }} issuedAt }}
    }}
  }}
}}
"""

# kind -> (amount, blocked_amount) of the i-th entry; BLOCK moves money into the blocked part, total unchanged
_ENTRY_SHAPES: dict[str, Callable[[int], tuple[str, str]]] = {
    "SALE": lambda i: (f"{50 + i}.{i % 100:02d}", "0.00"),
    "FEE": lambda i: (f"-{2 + i % 3}.{(i * 7) % 100:02d}", "0.00"),
    "COMMISSION": lambda i: (f"-{5 + i % 4}.25", "0.00"),
    "REFUND": lambda i: ("-10.10", "0.00"),
    "CHARGEBACK": lambda i: ("-20.00", "-20.00"),
    "WITHDRAWAL": lambda i: ("-30.00", "0.00"),
    "PREPAYMENT": lambda i: ("40.00", "0.00"),
    "PREPAYMENT_FEE": lambda i: ("-1.50", "0.00"),
    "BLOCK": lambda i: ("0.00", f"{25 + i}.00"),
    "UNBLOCK": lambda i: ("0.00", "-5.00"),
    "ADJUSTMENT": lambda i: ("0.01" if i % 2 else "-3.33", "0.00"),
}
KINDS = list(_ENTRY_SHAPES)


@dataclass
class Arranged:
    """One seller's finance rows, as the raw rows read back from the database."""

    seller: Seller
    entries: list[asyncpg.Record] = field(default_factory=list)
    withdrawals: list[asyncpg.Record] = field(default_factory=list)
    prepayments: list[asyncpg.Record] = field(default_factory=list)
    receipts: list[asyncpg.Record] = field(default_factory=list)
    sales: dict[int, str] = field(default_factory=dict)  # id -> transaction code
    affiliates: dict[int, asyncpg.Record] = field(default_factory=dict)


async def arrange(connection: asyncpg.Connection, seller: Seller, *, entries: int = 40) -> Arranged:
    """Sales, withdrawals, prepayments, receipts and about `entries` ledger lines in BRL and USD.

    Entries are inserted out of time order (ids do not follow occurred_at) and share occurred_at in pairs,
    so the (occurred_at, id) order and its tie-breaker both matter; every fourth is still pending.
    """
    sales = {
        currency: [await make_sale(connection, seller, created_at=BASE, currency=currency) for _ in range(2)]
        for currency in ("BRL", "USD")
    }
    withdrawals = {"BRL": [], "USD": []}
    for n, (currency, status) in enumerate(
        [
            ("BRL", "PAID"),
            ("BRL", "FAILED"),
            ("USD", "REQUESTED"),
            ("USD", "CANCELLED"),
            ("BRL", "PROCESSING"),
            ("USD", "PAID"),
            ("BRL", "REQUESTED"),
        ]
    ):
        requested_at = BASE + timedelta(days=n // 2)  # pairs share requested_at
        withdrawals[currency].append(
            await make_withdrawal(
                connection,
                seller,
                requested_at=requested_at,
                amount=f"{100 + n}.50",
                currency=currency,
                status=status,
                failure_reason="bank account closed" if status == "FAILED" else None,
            )
        )
    for n, (currency, status) in enumerate([("BRL", "APPROVED"), ("USD", "REQUESTED"), ("BRL", "REJECTED")]):
        await make_prepayment(
            connection,
            seller,
            created_at=BASE + timedelta(hours=n // 2),
            amount=f"{300 + n}.00",
            fee=f"{n}.75",
            currency=currency,
            status=status,
        )
    affiliates = [await make_affiliate(connection, seller.id) for _ in range(2)]
    for n, (direction, status, currency) in enumerate(
        [
            ("SENT", "PENDING", "BRL"),
            ("RECEIVED", "ACCEPTED", "BRL"),
            ("SENT", "REJECTED", "USD"),
            ("RECEIVED", "PENDING", "USD"),
            ("SENT", "ACCEPTED", "BRL"),
        ]
    ):
        await make_receipt(
            connection,
            seller,
            affiliate_id=affiliates[n % 2],
            issued_at=BASE + timedelta(days=n // 2),
            period_from=date(2024, 4, 1 + n),
            period_to=date(2024, 4, 20 + n),
            direction=direction,
            status=status,
            amount=f"{45 + n}.90",
            currency=currency,
        )
    for i in range(entries):
        kind = KINDS[i % len(KINDS)]
        currency = "USD" if i % 3 == 0 else "BRL"
        amount, blocked = _ENTRY_SHAPES[kind](i)
        occurred_at = BASE + timedelta(hours=((i * 7) % entries) // 2)
        await make_entry(
            connection,
            seller,
            kind=kind,
            amount=amount,
            blocked_amount=blocked,
            currency=currency,
            occurred_at=occurred_at,
            available_at=FUTURE if i % 4 == 0 else occurred_at + timedelta(days=1),
            sale_id=sales[currency][i % 2] if kind in ("SALE", "FEE", "COMMISSION", "REFUND") else None,
            withdrawal_id=withdrawals[currency][i % 2] if kind == "WITHDRAWAL" else None,
        )
    return await read_back(connection, seller)


async def read_back(connection: asyncpg.Connection, seller: Seller) -> Arranged:
    """Everything of the seller's finance tables, raw, in no particular order."""

    async def rows(table: str) -> list[asyncpg.Record]:
        return list(await connection.fetch(f"select * from {table} where producer_id = $1", seller.id))

    sales = await connection.fetch("select id, transaction_code from sales where producer_id = $1", seller.id)
    affiliates = await rows("affiliates")
    return Arranged(
        seller=seller,
        entries=await rows("statement_entries"),
        withdrawals=await rows("withdrawals"),
        prepayments=await rows("prepayments"),
        receipts=await rows("receipts"),
        sales={row["id"]: row["transaction_code"] for row in sales},
        affiliates={row["id"]: row for row in affiliates},
    )


# ---- independent expectations --------------------------------------------------------------------------------


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currency": currency}


def running_balances(entries: Iterable[asyncpg.Record]) -> dict[int, Decimal]:
    """Entry id -> balance of its currency right after it, walking the ledger in (occurred_at, id) order."""
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    after: dict[int, Decimal] = {}
    for row in sorted(entries, key=lambda row: (row["occurred_at"], row["id"])):
        totals[row["currency"]] += row["amount"]
        after[row["id"]] = totals[row["currency"]]
    return after


def expected_balances(entries: list[asyncpg.Record], now: datetime) -> list[dict[str, Any]]:
    sums: dict[str, dict[str, Decimal]] = {}
    for row in entries:
        sums.setdefault(row["currency"], defaultdict(lambda: Decimal("0.00")))
        part = sums[row["currency"]]
        free = row["amount"] - row["blocked_amount"]
        part["available" if row["available_at"] <= now else "pending"] += free
        part["blocked"] += row["blocked_amount"]
        part["total"] += row["amount"]
    return [
        {
            "currency": currency,
            **{name: money(part[name], currency) for name in ("available", "pending", "blocked", "total")},
        }
        for currency, part in sorted(sums.items())
    ]


def newest_first(rows: Iterable[asyncpg.Record], column: str) -> list[asyncpg.Record]:
    return sorted(rows, key=lambda row: (row[column], row["id"]), reverse=True)


def expected_statement(
    arranged: Arranged,
    *,
    kinds: list[str] | None = None,
    currency: str | None = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
) -> list[dict[str, Any]]:
    balance_after = running_balances(arranged.entries)  # over the whole ledger: filters never change it
    withdrawals = {row["id"]: row for row in arranged.withdrawals}
    chosen = [
        row
        for row in arranged.entries
        if (kinds is None or row["kind"] in kinds)
        and (currency is None or row["currency"] == currency)
        and (occurred_from is None or row["occurred_at"] >= occurred_from)
        and (occurred_to is None or row["occurred_at"] < occurred_to)
    ]
    expected = []
    for row in newest_first(chosen, "occurred_at"):
        withdrawal = withdrawals.get(row["withdrawal_id"])
        expected.append(
            {
                "id": to_global_id("StatementEntry", row["id"]),
                "kind": row["kind"],
                "amount": money(row["amount"], row["currency"]),
                "balanceAfter": money(balance_after[row["id"]], row["currency"]),
                "description": row["description"],
                "occurredAt": row["occurred_at"],
                "availableAt": row["available_at"],
                "sale": {
                    "id": to_global_id("Sale", row["sale_id"]),
                    "transactionCode": arranged.sales[row["sale_id"]],
                }
                if row["sale_id"] is not None
                else None,
                "withdrawal": {
                    "id": to_global_id("Withdrawal", withdrawal["id"]),
                    "status": withdrawal["status"],
                    "amount": money(withdrawal["amount"], withdrawal["currency"]),
                }
                if withdrawal is not None
                else None,
            }
        )
    return expected


def expected_withdrawals(
    arranged: Arranged, *, statuses: list[str] | None = None, currency: str | None = None
) -> list[dict[str, Any]]:
    chosen = [
        row
        for row in arranged.withdrawals
        if (statuses is None or row["status"] in statuses) and (currency is None or row["currency"] == currency)
    ]
    return [
        {
            "id": to_global_id("Withdrawal", row["id"]),
            "amount": money(row["amount"], row["currency"]),
            "status": row["status"],
            "requestedAt": row["requested_at"],
            "paidAt": row["paid_at"],
            "failureReason": row["failure_reason"],
        }
        for row in newest_first(chosen, "requested_at")
    ]


def expected_prepayments(arranged: Arranged) -> list[dict[str, Any]]:
    return [
        {
            "id": to_global_id("Prepayment", row["id"]),
            "amount": money(row["amount"], row["currency"]),
            "fee": money(row["fee"], row["currency"]),
            "status": row["status"],
            "createdAt": row["created_at"],
        }
        for row in newest_first(arranged.prepayments, "created_at")
    ]


def expected_receipts(
    arranged: Arranged, *, direction: str | None = None, statuses: list[str] | None = None
) -> list[dict[str, Any]]:
    chosen = [
        row
        for row in arranged.receipts
        if (direction is None or row["direction"] == direction) and (statuses is None or row["status"] in statuses)
    ]
    expected = []
    for row in newest_first(chosen, "issued_at"):
        affiliate = arranged.affiliates[row["affiliate_id"]]
        expected.append(
            {
                "id": to_global_id("Receipt", row["id"]),
                "number": row["number"],
                "direction": row["direction"],
                "affiliate": {
                    "id": to_global_id("Affiliate", affiliate["id"]),
                    "name": affiliate["name"],
                    "email": affiliate["email"],
                },
                "amount": money(row["amount"], row["currency"]),
                "status": row["status"],
                "period": {"from": row["period_from"].isoformat(), "to": row["period_to"].isoformat()},
                "issuedAt": row["issued_at"],
            }
        )
    return expected


# ---- walking a connection --------------------------------------------------------------------------------------


def _with_datetimes(node: dict[str, Any]) -> dict[str, Any]:
    """`...At` fields as datetimes, so they compare with the raw rows whatever the offset written."""
    return {
        key: datetime.fromisoformat(value) if key.endswith("At") and isinstance(value, str) else value
        for key, value in node.items()
    }


async def walk(
    client: httpx.AsyncClient,
    key: str,
    query: str,
    root: str,
    *,
    first: int,
    variables: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Every node of a connection, page after page forward; checks page info and the total on each page."""
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    totals = set()
    for page_number in range(1000):
        connection = (await data_of(client, key, query, {**(variables or {}), "first": first, "after": after}))[root]
        edges, info = connection["edges"], connection["pageInfo"]
        totals.add(connection["totalCount"])
        assert len(edges) <= first
        assert info["hasPreviousPage"] == (page_number > 0)
        if edges:
            assert info["startCursor"] == edges[0]["cursor"]
            assert info["endCursor"] == edges[-1]["cursor"]
        else:
            assert info["startCursor"] is None
            assert info["endCursor"] is None
        nodes.extend(_with_datetimes(edge["node"]) for edge in edges)
        if not info["hasNextPage"]:
            break
        assert len(edges) == first
        after = info["endCursor"]
    assert len(totals) == 1, totals
    return nodes, totals.pop()


def _ids(nodes: list[dict[str, Any]]) -> list[str]:
    return [node["id"] for node in nodes]


async def error_code(client: httpx.AsyncClient, key: str, query: str, variables: dict[str, Any]) -> str:
    response = await post(client, key, query, variables)
    body = response.json()
    assert body.get("errors"), body
    code: str = body["errors"][0]["extensions"]["code"]
    return code


# ---- tests -------------------------------------------------------------------------------------------------------


async def test_balances_are_sums_of_the_ledger(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    arranged = await arrange(connection, await make_seller(connection))
    balances = (await data_of(client, arranged.seller.key, BALANCES))["balances"]

    assert balances == expected_balances(arranged.entries, datetime.now(UTC))
    assert [balance["currency"] for balance in balances] == ["BRL", "USD"]
    for balance in balances:
        parts = (Decimal(balance[name]["amount"]) for name in ("available", "pending", "blocked"))
        assert sum(parts, Decimal(0)) == Decimal(balance["total"]["amount"])
        assert Decimal(balance["pending"]["amount"]) != 0  # the future available_at entries count as pending
        assert Decimal(balance["blocked"]["amount"]) != 0


async def test_statement_pages_carry_the_running_balance(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    arranged = await arrange(connection, await make_seller(connection))
    expected = expected_statement(arranged)
    assert len(expected) == 40

    nodes, total = await walk(client, arranged.seller.key, STATEMENT, "statement", first=7)

    assert total == 40
    assert len(set(_ids(nodes))) == len(nodes) == 40  # each entry exactly once
    assert nodes == expected
    # the newest entry of each currency carries the currency's total balance
    balances = {row["currency"]: row["total"] for row in expected_balances(arranged.entries, datetime.now(UTC))}
    for currency, total_money in balances.items():
        newest = next(node for node in nodes if node["amount"]["currency"] == currency)
        assert newest["balanceAfter"] == total_money


@pytest.mark.parametrize(
    ("api_filter", "spec"),
    [
        ({"kinds": ["FEE", "WITHDRAWAL"]}, {"kinds": ["FEE", "WITHDRAWAL"]}),
        ({"currency": "USD"}, {"currency": "USD"}),
        (
            {
                "occurredFrom": (BASE + timedelta(hours=3)).isoformat(),
                "occurredTo": (BASE + timedelta(hours=11)).isoformat(),
            },
            {"occurred_from": BASE + timedelta(hours=3), "occurred_to": BASE + timedelta(hours=11)},
        ),
        (
            {"kinds": ["SALE", "BLOCK", "CHARGEBACK"], "currency": "BRL", "occurredFrom": BASE.isoformat()},
            {"kinds": ["SALE", "BLOCK", "CHARGEBACK"], "currency": "BRL", "occurred_from": BASE},
        ),
    ],
)
async def test_statement_filters_keep_the_unfiltered_running_balance(
    client: httpx.AsyncClient, connection: asyncpg.Connection, api_filter: dict[str, Any], spec: dict[str, Any]
) -> None:
    arranged = await arrange(connection, await make_seller(connection))
    expected = expected_statement(arranged, **spec)

    nodes, total = await walk(
        client, arranged.seller.key, STATEMENT, "statement", first=7, variables={"filter": api_filter}
    )

    assert total == len(expected)
    assert nodes == expected
    assert 0 < len(expected) < 40


async def test_statement_time_filter_is_inclusive_from_and_exclusive_to(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    arranged = await arrange(connection, await make_seller(connection))
    start, end = BASE + timedelta(hours=2), BASE + timedelta(hours=4)
    api_filter = {"occurredFrom": start.isoformat(), "occurredTo": end.isoformat()}
    nodes, _ = await walk(
        client, arranged.seller.key, STATEMENT, "statement", first=100, variables={"filter": api_filter}
    )
    occurred = {node["occurredAt"] for node in nodes}
    assert occurred == {start, start + timedelta(hours=1)}


async def test_running_balance_over_a_long_ledger(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    """3,000 entries in two currencies with ties in time: every page of the whole walk, and a sparse filter
    whose pages span hundreds of unlisted entries."""
    seller = await make_seller(connection)
    await connection.execute(
        """
        insert into statement_entries (producer_id, kind, currency, amount, blocked_amount, description,
                                       occurred_at, available_at)
        select $1,
               case when i % 50 = 0 then 'WITHDRAWAL' when i % 7 = 0 then 'FEE' else 'SALE' end,
               case when i % 3 = 0 then 'USD' else 'BRL' end,
               case when i % 50 = 0 then -(i % 97) - 0.37 when i % 7 = 0 then -1.11 else (i % 89) + 0.42 end,
               0, 'bulk ' || i,
               $2::timestamptz + ((i * 7919) % 3000 / 3) * interval '1 minute',
               $2::timestamptz
        from generate_series(1, 3000) as i
        """,
        seller.id,
        BASE,
    )
    arranged = await read_back(connection, seller)

    nodes, total = await walk(client, seller.key, STATEMENT, "statement", first=100)
    assert total == 3000
    assert nodes == expected_statement(arranged)

    api_filter = {"kinds": ["WITHDRAWAL"], "currency": "BRL"}
    nodes, total = await walk(client, seller.key, STATEMENT, "statement", first=7, variables={"filter": api_filter})
    expected = expected_statement(arranged, kinds=["WITHDRAWAL"], currency="BRL")
    assert total == len(expected) == 40
    assert nodes == expected


async def test_statement_statements_do_not_grow_with_the_page(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    """balanceAfter is batched (one statement per page, whatever its size); sale and withdrawal come in the
    page's own statement."""
    arranged = await arrange(connection, await make_seller(connection))
    expected = expected_statement(arranged)
    assert any(entry["sale"] for entry in expected[:40])
    assert any(entry["withdrawal"] for entry in expected[:40])
    for first in (3, 7, 40):
        response = await post(client, arranged.seller.key, STATEMENT, {"first": first})
        assert "errors" not in response.json()
        if "x-sql-statements" not in response.headers:
            pytest.skip("the gateway does not report its statement count (x-sql-statements)")
        # the page with its sales and withdrawals, totalCount, balanceAfter
        assert int(response.headers["x-sql-statements"]) == 3, first


async def test_withdrawals_pages_and_filters(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    arranged = await arrange(connection, await make_seller(connection))
    key = arranged.seller.key

    nodes, total = await walk(client, key, WITHDRAWALS, "withdrawals", first=2)
    assert total == 7
    assert nodes == expected_withdrawals(arranged)
    assert any(node["paidAt"] is not None for node in nodes)
    assert any(node["failureReason"] == "bank account closed" for node in nodes)

    for api_filter, spec in [
        ({"status": ["PAID", "FAILED"]}, {"statuses": ["PAID", "FAILED"]}),
        ({"currency": "USD"}, {"currency": "USD"}),
        ({"status": ["REQUESTED"], "currency": "BRL"}, {"statuses": ["REQUESTED"], "currency": "BRL"}),
    ]:
        expected = expected_withdrawals(arranged, **spec)
        nodes, total = await walk(client, key, WITHDRAWALS, "withdrawals", first=2, variables={"filter": api_filter})
        assert 0 < total == len(expected) < 7
        assert nodes == expected


async def test_prepayments_pages(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    arranged = await arrange(connection, await make_seller(connection))
    nodes, total = await walk(client, arranged.seller.key, PREPAYMENTS, "prepayments", first=2)
    assert total == 3
    assert nodes == expected_prepayments(arranged)


async def test_receipts_pages_and_filters(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    arranged = await arrange(connection, await make_seller(connection))
    key = arranged.seller.key

    nodes, total = await walk(client, key, RECEIPTS, "receipts", first=2)
    assert total == 5
    assert nodes == expected_receipts(arranged)

    for api_filter, spec in [
        ({"direction": "SENT"}, {"direction": "SENT"}),
        ({"direction": "RECEIVED"}, {"direction": "RECEIVED"}),
        ({"status": ["ACCEPTED", "REJECTED"]}, {"statuses": ["ACCEPTED", "REJECTED"]}),
        ({"direction": "SENT", "status": ["PENDING"]}, {"direction": "SENT", "statuses": ["PENDING"]}),
    ]:
        expected = expected_receipts(arranged, **spec)
        nodes, total = await walk(client, key, RECEIPTS, "receipts", first=2, variables={"filter": api_filter})
        assert 0 < total == len(expected) < 5
        assert nodes == expected


async def test_a_seller_sees_only_its_own_money(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    mine = await arrange(connection, await make_seller(connection))
    theirs = await arrange(connection, await make_seller(connection), entries=25)
    for arranged, other in ((mine, theirs), (theirs, mine)):
        key = arranged.seller.key
        other_ids = {
            *(to_global_id("StatementEntry", row["id"]) for row in other.entries),
            *(to_global_id("Withdrawal", row["id"]) for row in other.withdrawals),
            *(to_global_id("Prepayment", row["id"]) for row in other.prepayments),
            *(to_global_id("Receipt", row["id"]) for row in other.receipts),
        }
        statement, _ = await walk(client, key, STATEMENT, "statement", first=50)
        withdrawals, _ = await walk(client, key, WITHDRAWALS, "withdrawals", first=50)
        prepayments, _ = await walk(client, key, PREPAYMENTS, "prepayments", first=50)
        receipts, _ = await walk(client, key, RECEIPTS, "receipts", first=50)

        assert statement == expected_statement(arranged)
        assert withdrawals == expected_withdrawals(arranged)
        assert prepayments == expected_prepayments(arranged)
        assert receipts == expected_receipts(arranged)
        seen = set(_ids(statement) + _ids(withdrawals) + _ids(prepayments) + _ids(receipts))
        seen |= {node["withdrawal"]["id"] for node in statement if node["withdrawal"]}
        assert not seen & other_ids
        balances = (await data_of(client, key, BALANCES))["balances"]
        assert balances == expected_balances(arranged.entries, datetime.now(UTC))


async def test_an_empty_seller_has_empty_lists(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    await arrange(connection, await make_seller(connection))  # someone else's money exists
    empty = await make_seller(connection)

    assert (await data_of(client, empty.key, BALANCES))["balances"] == []
    for query, root in (
        (STATEMENT, "statement"),
        (WITHDRAWALS, "withdrawals"),
        (PREPAYMENTS, "prepayments"),
        (RECEIPTS, "receipts"),
    ):
        connection_data = (await data_of(client, empty.key, query))[root]
        assert connection_data == {
            "totalCount": 0,
            "pageInfo": {"hasNextPage": False, "hasPreviousPage": False, "startCursor": None, "endCursor": None},
            "edges": [],
        }


@pytest.mark.parametrize(
    ("query", "root"),
    [(STATEMENT, "statement"), (WITHDRAWALS, "withdrawals"), (PREPAYMENTS, "prepayments"), (RECEIPTS, "receipts")],
)
async def test_bad_page_arguments_are_bad_user_input(
    client: httpx.AsyncClient, connection: asyncpg.Connection, query: str, root: str
) -> None:
    arranged = await arrange(connection, await make_seller(connection), entries=5)
    key = arranged.seller.key

    for variables in ({"first": 0}, {"first": 101}, {"after": "not a cursor"}, {"after": "WyJ4Il0="}):
        assert await error_code(client, key, query, variables) == "BAD_USER_INPUT", variables

    # a cursor of another list is not a cursor of this one
    other_query, other_root = (WITHDRAWALS, "withdrawals") if root != "withdrawals" else (STATEMENT, "statement")
    cursor = (await data_of(client, key, other_query, {"first": 1}))[other_root]["pageInfo"]["endCursor"]
    assert cursor is not None
    assert await error_code(client, key, query, {"first": 1, "after": cursor}) == "BAD_USER_INPUT"
