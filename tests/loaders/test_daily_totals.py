"""Totals kept on write (the ledger's per day of availability, the made sales' per day and dimension) equal a
recomputation from the rows: after concurrent writers, rolled-back transactions, deletes and a change of time
zone; and `balances` over them equals the sum over every entry."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg

from loaders.database import TenantDatabase
from loaders.finance.ledger import balances
from tests.factories.catalog import make_affiliate, make_product
from tests.factories.finance import make_entry
from tests.factories.producers import Seller, make_seller
from tests.invariants import check_derived_totals

STATUSES = ["APPROVED", "COMPLETE", "WAITING_PAYMENT", "REFUNDED", "CANCELLED"]
SOURCES = [None, "", "direct", "Direct", "instagram", "google/cpc"]


class Abandoned(Exception):
    """Raised inside a transaction so that it rolls back."""


async def _write_at_random(database_url: str, sellers: list[Seller], seed: int) -> None:
    """One writer: transactions of sales inserted, sales changed or deleted and ledger entries, some rolled back."""
    chance = random.Random(seed)
    connection = await asyncpg.connect(database_url)
    now = datetime.now(UTC)
    try:
        for step in range(25):
            seller = chance.choice(sellers)
            try:
                async with connection.transaction():
                    await _insert_sales(connection, seller, chance, now, step, seed)
                    await connection.execute(
                        "update sales set status = $2 where id in (select id from sales where producer_id = $1 "
                        "order by random() limit 3)",
                        seller.id,
                        chance.choice(STATUSES),
                    )
                    await connection.execute(
                        "delete from sales where id in (select s.id from sales s where s.producer_id = $1 and not "
                        "exists (select 1 from statement_entries e where e.sale_id = s.id) and not exists (select 1 "
                        "from refunds r where r.sale_id = s.id) and not exists (select 1 from lost_sales l where "
                        "l.recovered_sale_id = s.id) order by random() limit 1)",
                        seller.id,
                    )
                    await _refund_at_random(connection, seller, chance, now)
                    for _ in range(chance.randint(1, 4)):
                        await make_entry(
                            connection,
                            seller,
                            kind=chance.choice(["SALE", "FEE", "ADJUSTMENT", "BLOCK"]),
                            amount=f"{chance.randint(-5000, 20000) / 100:.2f}",
                            blocked_amount=chance.choice(["0.00", "0.00", "3.50"]),
                            currency=chance.choice(["BRL", "USD"]),
                            occurred_at=now - timedelta(days=chance.randint(0, 40)),
                            available_at=now + timedelta(hours=chance.randint(-24 * 40, 24 * 40)),
                        )
                    if chance.random() < 0.2:
                        raise Abandoned
            except (Abandoned, asyncpg.DeadlockDetectedError, asyncpg.ForeignKeyViolationError):
                # rolled back: by the writer, or by PostgreSQL when two writers take the same rows (sales, or
                # their totals) in opposite orders over several statements, or refund a sale another deletes
                pass
    finally:
        await connection.close()


async def _insert_sales(
    connection: asyncpg.Connection, seller: Seller, chance: random.Random, now: datetime, step: int, seed: int
) -> None:
    rows = []
    for n in range(chance.randint(1, 6)):
        gross = Decimal(chance.randint(1000, 50000)) / 100
        commission = (gross / 10).quantize(Decimal("0.01")) if chance.random() < 0.4 else Decimal("0.00")
        rows.append(
            (
                seller.id,
                f"R{seed}-{step}-{n}-{chance.randint(0, 10**9)}",
                chance.choice(STATUSES),
                seller.product_id,
                seller.buyer_id,
                None if commission == 0 else await _affiliate_of(connection, seller),
                chance.choice(["CREDIT_CARD", "PIX", "BILLET"]),
                chance.choice(["DESKTOP", "MOBILE", "UNKNOWN"]),
                chance.choice(SOURCES),
                chance.choice(["BRL", "USD"]),
                gross,
                Decimal("1.00"),
                commission,
                gross - Decimal("1.00") - commission,
                now - timedelta(hours=chance.randint(0, 24 * 30)),
            )
        )
    await connection.executemany(
        """
        insert into sales (producer_id, transaction_code, status, product_id, buyer_id, affiliate_id, payment_method,
                           device, source, currency, gross_amount, fees, taxes, affiliate_commission, net_amount,
                           created_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15)
        """,
        rows,
    )


async def _refund_at_random(
    connection: asyncpg.Connection, seller: Seller, chance: random.Random, now: datetime
) -> None:
    """A refund asked for one of the seller's sales, and another refund of the seller decided or reopened."""
    status = chance.choice(["REQUESTED", "APPROVED", "DENIED", "COMPLETED"])
    await connection.execute(
        """
        insert into refunds (producer_id, sale_id, amount, currency, status, requested_at, resolved_at)
        select producer_id, id, 1.00, currency, $2, $3::timestamptz,
               case when $2 = 'REQUESTED' then null else $3::timestamptz end
        from sales where producer_id = $1 order by random() limit 1
        """,
        seller.id,
        status,
        now - timedelta(hours=chance.randint(0, 24 * 30)),
    )
    status = chance.choice(["REQUESTED", "APPROVED", "DENIED", "COMPLETED"])
    await connection.execute(
        """
        update refunds set status = $2, resolved_at = case when $2 = 'REQUESTED' then null else requested_at end
        where id in (select id from refunds where producer_id = $1 order by random() limit 1)
        """,
        seller.id,
        status,
    )


async def _affiliate_of(connection: asyncpg.Connection, seller: Seller) -> int:
    found = await connection.fetchval("select id from affiliates where producer_id = $1 limit 1", seller.id)
    return int(found) if found is not None else await make_affiliate(connection, seller.id)


async def test_totals_equal_a_recomputation_after_concurrent_writers(
    database_url: str, connection: asyncpg.Connection
) -> None:
    sellers = [await make_seller(connection), await make_seller(connection, time_zone="Asia/Kolkata")]
    await make_product(connection, sellers[0].id)
    await asyncio.gather(*(_write_at_random(database_url, sellers, seed) for seed in range(6)))
    written = await connection.fetchval(
        "select count(*) from sales where producer_id = any($1::bigint[])", [seller.id for seller in sellers]
    )
    assert written > 50
    await check_derived_totals(connection)


async def test_a_new_time_zone_moves_the_sales_to_their_new_days(connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection, time_zone="UTC")
    late_evening = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    await connection.execute(
        """
        insert into sales (producer_id, transaction_code, status, product_id, buyer_id, payment_method, currency,
                           gross_amount, fees, taxes, affiliate_commission, net_amount, created_at)
        values ($1, 'TZ-1', 'APPROVED', $2, $3, 'PIX', 'BRL', 50.00, 0, 0, 0, 50.00, $4)
        """,
        seller.id,
        seller.product_id,
        seller.buyer_id,
        late_evening,
    )
    day_of = "select day from sales_daily_totals where producer_id = $1 and dimension = 'total' and sales > 0"
    assert str(await connection.fetchval(day_of, seller.id)) == "2026-03-10"
    await connection.execute("update producers set time_zone = 'Asia/Tokyo' where id = $1", seller.id)
    assert str(await connection.fetchval(day_of, seller.id)) == "2026-03-11"
    await check_derived_totals(connection)


async def test_an_unknown_time_zone_is_refused(connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection)
    try:
        await connection.execute("update producers set time_zone = 'Mars/Olympus_Mons' where id = $1", seller.id)
    except asyncpg.CheckViolationError:
        pass
    else:
        raise AssertionError("an unknown time zone was stored")


BALANCES_OVER_EVERY_ENTRY = """
    select currency,
           coalesce(sum(amount - blocked_amount) filter (where available_at <= now()), 0.00) as available,
           coalesce(sum(amount - blocked_amount) filter (where available_at > now()), 0.00) as pending,
           sum(blocked_amount) as blocked,
           sum(amount) as total
    from statement_entries
    where producer_id = $1
    group by currency
    order by currency
"""


async def test_balances_from_daily_totals_equal_the_sum_over_every_entry(
    serving_pool: asyncpg.Pool, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    now = datetime.now(UTC)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    chance = random.Random(7)
    moments = [
        today + timedelta(seconds=1),  # today, already available
        now - timedelta(seconds=2),
        now + timedelta(minutes=5),  # today (or just after midnight), still pending
        today + timedelta(days=1) - timedelta(microseconds=1),
        today + timedelta(days=1),
        today - timedelta(microseconds=1),
    ] + [now + timedelta(hours=chance.randint(-24 * 60, 24 * 60)) for _ in range(60)]
    for moment in moments:
        await make_entry(
            connection,
            seller,
            kind=chance.choice(["SALE", "FEE", "BLOCK"]),
            amount=f"{chance.randint(-3000, 9000) / 100:.2f}",
            blocked_amount=chance.choice(["0.00", "12.30"]),
            currency=chance.choice(["BRL", "USD", "EUR"]),
            occurred_at=min(moment, now),
            available_at=moment,
        )
    db = TenantDatabase(serving_pool, seller.id)
    async with serving_pool.acquire() as serving, serving.transaction():
        await serving.execute("select set_config('app.producer_id', $1, true)", str(seller.id))
        expected = [tuple(row) for row in await serving.fetch(BALANCES_OVER_EVERY_ENTRY, seller.id)]
    try:
        found = [(row.currency, row.available, row.pending, row.blocked, row.total) for row in await balances(db)]
    finally:
        await db.close()
    assert found == expected
    assert len(found) == 3
    await check_derived_totals(connection)
