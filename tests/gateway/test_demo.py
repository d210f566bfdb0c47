"""The demo data: deterministic, realistic, and keeping every rule of the API (checked from the raw rows)."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import asyncpg
import pytest

from gateway.operations.demo import TABLES, SeedReport, seed
from tests.conftest import NewDatabase

ANCHOR = datetime.datetime(2025, 11, 25, 3, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=-3)))
PRODUCERS, SALES, SEED = 3, 6_000, 7

SALE_STATUSES = {
    "STARTED", "WAITING_PAYMENT", "PRINTED_BILLET", "PROCESSING_TRANSACTION", "UNDER_ANALYSIS", "APPROVED",
    "COMPLETE", "CANCELLED", "EXPIRED", "NO_FUNDS", "BLOCKED", "OVERDUE", "PRE_ORDER", "PROTESTED", "DISPUTE",
    "CHARGEBACK", "REFUNDED", "PARTIALLY_REFUNDED",
}  # fmt: skip
PAYMENT_METHODS = {
    "CREDIT_CARD", "DEBIT_CARD", "BILLET", "PIX", "PAYPAL", "GOOGLE_PAY", "APPLE_PAY", "WALLET", "DIRECT_DEBIT",
    "BANK_TRANSFER",
}  # fmt: skip
MADE = {"APPROVED", "COMPLETE"}
BOOKED = {"APPROVED", "COMPLETE", "REFUNDED", "PARTIALLY_REFUNDED", "CHARGEBACK", "DISPUTE"}
ACCEPTED_REFUND = {"APPROVED", "COMPLETED"}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Seeded:
    url: str
    report: SeedReport


async def _seed_fresh(new_database: NewDatabase, *, producers: int, sales: int, seed_value: int) -> Seeded:
    url = await new_database()
    connection = await asyncpg.connect(url)
    try:
        report = await seed(connection, producers=producers, sales=sales, seed=seed_value, anchor=ANCHOR)
    finally:
        await connection.close()
    return Seeded(url, report)


@pytest.fixture(scope="module")
async def seeded(new_database: NewDatabase) -> Seeded:
    return await _seed_fresh(new_database, producers=PRODUCERS, sales=SALES, seed_value=SEED)


@pytest.fixture
async def db(seeded: Seeded) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(seeded.url)
    try:
        yield connection
    finally:
        await connection.close()


async def _table_hashes(url: str) -> dict[str, str]:
    connection = await asyncpg.connect(url, server_settings={"TimeZone": "UTC"})
    try:
        return {
            table: await connection.fetchval(
                # every column but when the row was written (migration 0010)
                f"select md5(coalesce(string_agg((to_jsonb(t) - 'updated_at' - 'updated_xid')::text, E'\\n'"
                f" order by t.id), ''))"
                f" from {table} t"
            )
            for table in TABLES
        }
    finally:
        await connection.close()


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _by(rows: Iterable[asyncpg.Record], key: str) -> dict[object, asyncpg.Record]:
    return {row[key]: row for row in rows}


# ---- size and determinism -------------------------------------------------------------------------------------


async def test_report_counts_the_rows_and_sales_are_exact(seeded: Seeded, db: asyncpg.Connection) -> None:
    counts = seeded.report.counts()
    assert list(counts) == list(TABLES)
    for table in TABLES:
        assert counts[table] == await db.fetchval(f"select count(*) from {table}"), table
        assert counts[table] > 0, table
    assert counts["producers"] == PRODUCERS
    assert counts["sales"] == SALES
    assert seeded.report.elapsed_seconds > 0
    assert f"{SALES:,} sales" in seeded.report.summary()


async def test_same_arguments_give_the_same_rows_and_another_seed_others(new_database: NewDatabase) -> None:
    first = await _seed_fresh(new_database, producers=PRODUCERS, sales=2_000, seed_value=SEED)
    again = await _seed_fresh(new_database, producers=PRODUCERS, sales=2_000, seed_value=SEED)
    other = await _seed_fresh(new_database, producers=PRODUCERS, sales=2_000, seed_value=SEED + 1)
    hashes = await _table_hashes(first.url)
    assert await _table_hashes(again.url) == hashes
    assert again.report.counts() == first.report.counts()
    different = await _table_hashes(other.url)
    assert all(different[table] != hashes[table] for table in TABLES)
    assert other.report.sales == 2_000


async def test_identity_sequences_continue_after_the_seeded_ids(new_database: NewDatabase) -> None:
    url = await new_database()
    connection = await asyncpg.connect(url)
    try:
        await seed(connection, producers=2, sales=200, seed=1, anchor=ANCHOR)
        second = await seed(connection, producers=2, sales=200, seed=2, anchor=ANCHOR)
        assert second.producers == 2
        assert await connection.fetchval("select array_agg(id order by id) from producers") == [1, 2, 3, 4]
        assert await connection.fetchval("select count(*) from sales") == 400
        new_id = await connection.fetchval(
            "insert into producers (name, email) values ('New', 'new@example.com') returning id"
        )
        assert new_id == 5
        assert await connection.fetchval("select count(distinct transaction_code) from sales") == 400
    finally:
        await connection.close()


async def test_arguments_are_checked(db: asyncpg.Connection) -> None:
    with pytest.raises(ValueError, match="producers"):
        await seed(db, producers=0, sales=10, seed=1, anchor=ANCHOR)
    with pytest.raises(ValueError, match="sales"):
        await seed(db, producers=1, sales=-1, seed=1, anchor=ANCHOR)
    with pytest.raises(ValueError, match="timezone-aware"):
        await seed(db, producers=1, sales=10, seed=1, anchor=datetime.datetime(2025, 1, 1))


async def test_producers_without_sales_are_fine(new_database: NewDatabase) -> None:
    seeded = await _seed_fresh(new_database, producers=2, sales=0, seed_value=3)
    assert seeded.report.producers == 2
    assert seeded.report.sales == 0
    assert seeded.report.statement_entries == 0


# ---- realism --------------------------------------------------------------------------------------------------


async def test_many_producers_vary_and_the_first_is_large(new_database: NewDatabase) -> None:
    seeded = await _seed_fresh(new_database, producers=40, sales=2_000, seed_value=11)
    connection = await asyncpg.connect(seeded.url)
    try:
        producers = await connection.fetch("select id, time_zone, default_currency from producers order by id")
        zones = {row["time_zone"] for row in producers}
        assert producers[0]["time_zone"] == "America/Sao_Paulo"
        assert len(zones) >= 4
        assert sum(row["time_zone"] == "America/Sao_Paulo" for row in producers) > len(producers) / 3
        assert {row["default_currency"] for row in producers} == {"BRL", "USD", "EUR"}
        currencies = dict(await connection.fetch("select currency, count(*) from sales group by 1"))
        assert currencies["BRL"] > 1_000
        assert min(currencies.values()) > 100
        per_producer = dict(await connection.fetch("select producer_id, count(*) from sales group by 1"))
        assert sum(per_producer.values()) == 2_000
        assert per_producer[1] == 200
        assert len(per_producer) == 40
    finally:
        await connection.close()


async def test_every_status_method_and_currency_appears(db: asyncpg.Connection) -> None:
    statuses = dict(await db.fetch("select status, count(*) from sales group by 1"))
    assert set(statuses) == SALE_STATUSES
    assert statuses["APPROVED"] + statuses["COMPLETE"] > 0.6 * SALES
    methods = dict(await db.fetch("select payment_method, count(*) from sales group by 1"))
    assert set(methods) == PAYMENT_METHODS
    assert max(methods, key=lambda method: methods[method]) == "CREDIT_CARD"
    assert methods["PIX"] > 0.03 * SALES
    assert methods["BILLET"] > 0.01 * SALES
    currencies = dict(await db.fetch("select currency, count(*) from sales group by 1"))
    assert set(currencies) == {"BRL", "USD", "EUR"}
    assert min(currencies.values()) > 0.03 * SALES
    assert await db.fetchval("select count(distinct kind) from products") == 6
    assert await db.fetchval("select count(distinct device) from sales") == 4
    assert 0 < await db.fetchval("select count(*) from sales where source is null") < SALES / 2
    assert await db.fetchval("select count(distinct installments) from sales where payment_method = 'CREDIT_CARD'") > 6
    assert (
        await db.fetchval("select count(*) from sales where installments > 1 and payment_method <> 'CREDIT_CARD'") == 0
    )
    affiliations = dict(await db.fetch("select status, count(*) from affiliations group by 1"))
    assert set(affiliations) == {"PENDING", "ACTIVE", "REJECTED", "BLOCKED", "CANCELLED"}
    assert affiliations["PENDING"] >= 5
    assert await db.fetchval("select count(*) from affiliations where commission_rate not between 1 and 100") == 0
    directions = dict(await db.fetch("select direction, count(*) from receipts group by 1"))
    assert set(directions) == {"SENT", "RECEIVED"}
    assert {r[0] for r in await db.fetch("select distinct status from receipts")} == {"PENDING", "ACCEPTED", "REJECTED"}
    refunds = {r[0] for r in await db.fetch("select distinct status from refunds")}
    assert refunds == {"REQUESTED", "APPROVED", "DENIED", "COMPLETED", "CANCELLED"}
    withdrawals = dict(await db.fetch("select status, count(*) from withdrawals group by 1"))
    assert withdrawals["PAID"] > sum(withdrawals.values()) / 2
    assert {"REQUESTED", "PROCESSING"} & set(withdrawals)
    reasons = {r[0] for r in await db.fetch("select distinct reason from lost_sales")}
    assert len(reasons) == 7


async def test_every_producer_has_made_sales_in_the_last_7_days(db: asyncpg.Connection) -> None:
    recent = dict(
        await db.fetch(
            "select producer_id, count(*) from sales where status in ('APPROVED', 'COMPLETE') "
            "and created_at > $1::timestamptz - interval '7 days' and created_at <= $1 group by 1",
            ANCHOR,
        )
    )
    assert set(recent) == set(range(1, PRODUCERS + 1))
    assert all(count >= 5 for count in recent.values())
    month = await db.fetchval(
        "select count(*) from sales where created_at > $1::timestamptz - interval '30 days'", ANCHOR
    )
    assert 0.1 * SALES < month < 0.4 * SALES
    assert await db.fetchval("select min(created_at) from sales") > ANCHOR - datetime.timedelta(days=401)


async def test_nothing_happens_after_the_anchor(db: asyncpg.Connection) -> None:
    columns = await db.fetch(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'public' and data_type = 'timestamp with time zone' and table_name = any($1::text[]) "
        "and column_name not in ('available_at', 'next_charge_at', 'updated_at')",  # updated_at: when it was written
        list(TABLES),
    )
    assert len(columns) > 15
    for row in columns:
        latest = await db.fetchval(f"select max({row['column_name']}) from {row['table_name']}")
        assert latest is None or latest <= ANCHOR, (row["table_name"], row["column_name"])


# ---- the rules of the data --------------------------------------------------------------------------------------


async def test_sale_amounts_add_up(db: asyncpg.Connection) -> None:
    sales = await db.fetch(
        "select s.*, a.commission_rate, a.status as affiliation_status, a.decided_at "
        "from sales s left join affiliations a "
        "on a.producer_id = s.producer_id and a.affiliate_id = s.affiliate_id and a.product_id = s.product_id"
    )
    assert sum(sale["affiliate_id"] is not None for sale in sales) > SALES / 20
    for sale in sales:
        gross, fees, taxes = sale["gross_amount"], sale["fees"], sale["taxes"]
        commission, net = sale["affiliate_commission"], sale["net_amount"]
        assert net == gross - fees - taxes - commission
        assert min(gross, fees, taxes, commission, net) >= 0
        assert gross > 0
        assert all(value == value.quantize(CENT) for value in (gross, fees, taxes, commission, net))
        if sale["affiliate_id"] is None:
            assert commission == 0
        else:
            assert sale["affiliation_status"] == "ACTIVE"
            assert sale["decided_at"] < sale["created_at"]
            assert commission == _cents((gross - fees - taxes) * sale["commission_rate"] / 100)
        assert (sale["approved_at"] is not None) == (sale["status"] in BOOKED)
        if sale["approved_at"] is not None:
            assert sale["created_at"] <= sale["approved_at"] <= ANCHOR
        assert sale["transaction_code"].startswith("HP")


async def test_subscriptions_and_their_charges(db: asyncpg.Connection) -> None:
    subscriptions = await db.fetch("select * from subscriptions")
    charges = defaultdict(list)
    for sale in await db.fetch("select * from sales where subscription_id is not null order by created_at"):
        charges[sale["subscription_id"]].append(sale)
    statuses = {row["status"] for row in subscriptions}
    assert {"ACTIVE", "CANCELLED_BY_CUSTOMER"} <= statuses
    assert len(statuses) >= 5
    assert sum(len(rows) > 3 for rows in charges.values()) > 5
    for subscription in subscriptions:
        rows = charges[subscription["id"]]
        assert rows, subscription["id"]
        assert (subscription["cancelled_at"] is not None) == subscription["status"].startswith("CANCELLED")
        assert subscription["recurrence"] == sum(row["status"] in MADE for row in rows)
        assert rows[0]["created_at"] == subscription["started_at"]
        if subscription["cancelled_at"] is not None:
            assert subscription["next_charge_at"] is None
            assert rows[-1]["created_at"] <= subscription["cancelled_at"]
        if subscription["status"] == "ACTIVE":
            assert subscription["next_charge_at"] > ANCHOR
        for row in rows:
            assert (row["buyer_id"], row["product_id"]) == (subscription["buyer_id"], subscription["product_id"])
            assert (row["gross_amount"], row["currency"]) == (subscription["price"], subscription["currency"])
    kinds = {
        r[0]
        for r in await db.fetch("select distinct p.kind from subscriptions s join products p on p.id = s.product_id")
    }
    assert kinds == {"SUBSCRIPTION"}


async def test_refunds_match_sale_statuses(db: asyncpg.Connection) -> None:
    sales = _by(await db.fetch("select * from sales"), "id")
    refunds = await db.fetch("select * from refunds")
    accepted = defaultdict(list)
    for refund in refunds:
        sale = sales[refund["sale_id"]]
        assert refund["currency"] == sale["currency"]
        assert refund["producer_id"] == sale["producer_id"]
        assert 0 < refund["amount"] <= sale["gross_amount"]
        assert sale["approved_at"] <= refund["requested_at"] <= ANCHOR
        assert (refund["resolved_at"] is None) == (refund["status"] == "REQUESTED")
        assert (refund["denial_reason"] is not None) == (refund["status"] == "DENIED")
        if refund["status"] in ACCEPTED_REFUND:
            accepted[sale["id"]].append(refund)
        else:
            assert sale["status"] in MADE
    refunded = {sale_id for sale_id, sale in sales.items() if sale["status"] in ("REFUNDED", "PARTIALLY_REFUNDED")}
    assert set(accepted) == refunded
    assert refunded
    for sale_id, rows in accepted.items():
        assert len(rows) == 1
        sale = sales[sale_id]
        if sale["status"] == "REFUNDED":
            assert rows[0]["amount"] == sale["gross_amount"]
        else:
            assert rows[0]["amount"] < sale["gross_amount"]


async def test_a_lost_sale_is_recovered_only_by_a_later_made_sale(db: asyncpg.Connection) -> None:
    sales = await db.fetch("select * from sales")
    by_id = _by(sales, "id")
    made_at = defaultdict(list)
    for sale in sales:
        if sale["status"] in MADE:
            made_at[(sale["producer_id"], sale["buyer_id"], sale["product_id"])].append(sale["created_at"])
    last_attempt: dict[tuple[int, int, int], asyncpg.Record] = {}
    attempts = defaultdict(int)
    lost = await db.fetch("select * from lost_sales order by created_at, id")
    for row in lost:
        pair = (row["producer_id"], row["buyer_id"], row["product_id"])
        last_attempt[pair] = row
        attempts[pair] += 1
        assert row["amount"] > 0
        if row["recovered_sale_id"] is not None:
            sale = by_id[row["recovered_sale_id"]]
            assert (sale["producer_id"], sale["buyer_id"], sale["product_id"]) == pair
            assert sale["status"] in MADE
            assert sale["created_at"] > row["created_at"]
    recovered = [pair for pair, row in last_attempt.items() if row["recovered_sale_id"] is not None]
    not_recovered = [pair for pair, row in last_attempt.items() if row["recovered_sale_id"] is None]
    assert len(recovered) >= 10
    assert len(not_recovered) >= 10
    assert sum(count > 1 for count in attempts.values()) >= 10
    for pair in not_recovered:
        last = last_attempt[pair]["created_at"]
        assert not [at for at in made_at[pair] if at > last], pair
    for pair in recovered:
        assert [at for at in made_at[pair] if at > last_attempt[pair]["created_at"]]


async def test_every_reference_stays_within_one_producer(db: asyncpg.Connection) -> None:
    checks = {
        "sales": "select count(*) from sales s join products p on p.id = s.product_id join buyers b on b.id = s.buyer_id "
        "where p.producer_id <> s.producer_id or b.producer_id <> s.producer_id",
        "affiliates": "select count(*) from sales s join affiliates a on a.id = s.affiliate_id "
        "where a.producer_id <> s.producer_id",
        "lost": "select count(*) from lost_sales l join buyers b on b.id = l.buyer_id where b.producer_id <> l.producer_id",
        "entries": "select count(*) from statement_entries e join sales s on s.id = e.sale_id "
        "where s.producer_id <> e.producer_id or s.currency <> e.currency",
        "receipts": "select count(*) from receipts r join affiliates a on a.id = r.affiliate_id "
        "where a.producer_id <> r.producer_id",
    }
    for name, sql in checks.items():
        assert await db.fetchval(sql) == 0, name


# ---- the ledger --------------------------------------------------------------------------------------------------


async def test_ledger_totals_follow_from_the_rows(db: asyncpg.Connection) -> None:
    """Recompute each producer's total and blocked balance per currency from sales, refunds, prepayments and
    withdrawals, and compare with the statement."""
    sales = _by(await db.fetch("select * from sales"), "id")
    expected_total: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    expected_blocked: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for sale in sales.values():
        key = (sale["producer_id"], sale["currency"])
        if sale["status"] in BOOKED:
            expected_total[key] += sale["net_amount"]
        if sale["status"] == "CHARGEBACK":
            expected_total[key] -= sale["net_amount"]
        if sale["status"] == "DISPUTE":
            expected_blocked[key] += sale["net_amount"]
    for refund in await db.fetch("select * from refunds where status in ('APPROVED', 'COMPLETED')"):
        sale = sales[refund["sale_id"]]
        share = _cents(sale["net_amount"] * refund["amount"] / sale["gross_amount"])
        expected_total[(sale["producer_id"], sale["currency"])] -= share
    prepayments = await db.fetch("select * from prepayments where status = 'APPROVED'")
    assert prepayments
    for prepayment in prepayments:
        expected_total[(prepayment["producer_id"], prepayment["currency"])] -= prepayment["fee"]
    for withdrawal in await db.fetch("select * from withdrawals where status not in ('FAILED', 'CANCELLED')"):
        expected_total[(withdrawal["producer_id"], withdrawal["currency"])] -= withdrawal["amount"]

    ledger = await db.fetch(
        "select producer_id, currency, sum(amount) as total, sum(blocked_amount) as blocked "
        "from statement_entries group by 1, 2"
    )
    assert {(r["producer_id"], r["currency"]): r["total"] for r in ledger} == dict(expected_total)
    assert {(r["producer_id"], r["currency"]): r["blocked"] for r in ledger if r["blocked"]} == {
        key: value for key, value in expected_blocked.items() if value
    }


async def test_each_booked_sale_has_its_entries(db: asyncpg.Connection) -> None:
    sales = _by(
        await db.fetch("select s.*, p.name as product_name from sales s join products p on p.id = s.product_id"), "id"
    )
    legs: dict[int, dict[str, asyncpg.Record]] = defaultdict(dict)
    for entry in await db.fetch("select * from statement_entries where kind in ('SALE', 'FEE', 'COMMISSION')"):
        assert entry["kind"] not in legs[entry["sale_id"]]
        legs[entry["sale_id"]][entry["kind"]] = entry
    assert set(legs) == {sale_id for sale_id, sale in sales.items() if sale["status"] in BOOKED}
    for sale_id, entries in legs.items():
        sale = sales[sale_id]
        assert sum(entry["amount"] for entry in entries.values()) == sale["net_amount"]
        assert entries["SALE"]["amount"] == sale["gross_amount"]
        assert ("COMMISSION" in entries) == (sale["affiliate_commission"] > 0)
        assert entries["SALE"]["description"] == f"Sale {sale['transaction_code']} - {sale['product_name']}"
        guarantee = 7 if sale["payment_method"] in ("PIX", "BILLET") else 14 if sale["payment_method"] in (
            "DIRECT_DEBIT", "BANK_TRANSFER") else 30  # fmt: skip
        for entry in entries.values():
            assert entry["occurred_at"] == sale["approved_at"]
            assert entry["available_at"] == sale["approved_at"] + datetime.timedelta(days=guarantee)
    kinds = {r[0] for r in await db.fetch("select distinct kind from statement_entries")}
    assert kinds == {"SALE", "FEE", "COMMISSION", "REFUND", "CHARGEBACK", "WITHDRAWAL", "PREPAYMENT",
                     "PREPAYMENT_FEE", "BLOCK", "ADJUSTMENT"}  # fmt: skip


async def test_prepayments_advance_pending_money(db: asyncpg.Connection) -> None:
    for prepayment in await db.fetch("select * from prepayments where status = 'APPROVED'"):
        entries = await db.fetch("select * from statement_entries where prepayment_id = $1", prepayment["id"])
        now = [e for e in entries if e["available_at"] == prepayment["created_at"]]
        later = [e for e in entries if e["available_at"] > prepayment["created_at"]]
        assert sum(e["amount"] for e in now) == prepayment["amount"] - prepayment["fee"]
        assert sum(e["amount"] for e in later) == -prepayment["amount"]
        for leg in later:
            released = await db.fetchval(
                "select available_at from statement_entries where sale_id = $1 and kind = 'SALE'", leg["sale_id"]
            )
            assert leg["available_at"] == released
            assert leg["occurred_at"] == prepayment["created_at"]


async def test_available_balance_is_never_negative(db: asyncpg.Connection) -> None:
    """After every withdrawal, at the anchor, and indeed at any moment, for each producer and currency."""
    entries = defaultdict(list)
    for entry in await db.fetch("select * from statement_entries order by available_at"):
        entries[(entry["producer_id"], entry["currency"])].append(entry)

    def available(key: tuple[int, str], at: datetime.datetime) -> Decimal:
        return sum(
            (e["amount"] - e["blocked_amount"] for e in entries[key] if e["available_at"] <= at), start=Decimal()
        )

    withdrawals = await db.fetch("select * from withdrawals order by requested_at")
    assert len(withdrawals) > 20
    for withdrawal in withdrawals:
        key = (withdrawal["producer_id"], withdrawal["currency"])
        assert available(key, withdrawal["requested_at"]) >= 0, dict(withdrawal)
    for key, rows in entries.items():
        assert available(key, ANCHOR) >= 0
        running, lowest = Decimal(), Decimal()
        for index, entry in enumerate(rows):
            running += entry["amount"] - entry["blocked_amount"]
            if index + 1 == len(rows) or rows[index + 1]["available_at"] != entry["available_at"]:
                lowest = min(lowest, running)
        assert lowest >= 0, key


async def test_withdrawals_are_well_formed(db: asyncpg.Connection) -> None:
    withdrawals = await db.fetch("select * from withdrawals")
    for withdrawal in withdrawals:
        assert (withdrawal["paid_at"] is not None) == (withdrawal["status"] == "PAID")
        assert (withdrawal["failure_reason"] is not None) == (withdrawal["status"] == "FAILED")
        canonical = f"requestWithdrawal|{withdrawal['amount']}|{withdrawal['currency']}"
        assert withdrawal["request_hash"] == hashlib.sha256(canonical.encode()).digest()
        entries = await db.fetch("select * from statement_entries where withdrawal_id = $1", withdrawal["id"])
        kinds = sorted(entry["kind"] for entry in entries)
        if withdrawal["status"] in ("FAILED", "CANCELLED"):
            assert kinds == ["ADJUSTMENT", "WITHDRAWAL"]
            assert sum(e["amount"] for e in entries) == 0
        else:
            assert kinds == ["WITHDRAWAL"]
            assert entries[0]["amount"] == -withdrawal["amount"]
            assert entries[0]["available_at"] == withdrawal["requested_at"]
    keys = [(w["producer_id"], w["idempotency_key"]) for w in withdrawals]
    assert len(set(keys)) == len(keys)
