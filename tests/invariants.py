"""The rules the money must keep, checked from the raw rows in Python after mutation tests."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import asyncpg


async def check_ledger_invariants(connection: asyncpg.Connection) -> None:
    """For every producer that ran mutations (has audit rows) and each currency: the balance parts add up to
    the ledger's sum, and no withdrawal ever took `available` below zero at the moment it was written. For
    every producer: the totals the triggers keep equal a recomputation from the rows.

    (Other tests arrange ledgers by hand, some deliberately odd; the API's writes are what is checked here.)
    """
    await check_derived_totals(connection)
    entries = await connection.fetch(
        "select id, producer_id, currency, kind, amount, blocked_amount, occurred_at, available_at, withdrawal_id"
        " from statement_entries where producer_id in (select producer_id from audit_log)"
        " order by producer_id, currency, occurred_at, id"
    )
    by_account: dict[tuple[int, str], list[asyncpg.Record]] = defaultdict(list)
    for entry in entries:
        by_account[(entry["producer_id"], entry["currency"])].append(entry)
    now = await connection.fetchval("select now()")
    for account, rows in by_account.items():
        total = sum((row["amount"] for row in rows), Decimal(0))
        blocked = sum((row["blocked_amount"] for row in rows), Decimal(0))
        available = sum(
            (row["amount"] - row["blocked_amount"] for row in rows if row["available_at"] <= now), Decimal(0)
        )
        pending = sum((row["amount"] - row["blocked_amount"] for row in rows if row["available_at"] > now), Decimal(0))
        assert available + pending + blocked == total, account
        for index, row in enumerate(rows):
            if row["kind"] != "WITHDRAWAL" or row["amount"] >= 0:
                continue
            moment = row["occurred_at"]
            written = rows[: index + 1]
            available_then = sum(
                (r["amount"] - r["blocked_amount"] for r in written if r["available_at"] <= moment), Decimal(0)
            )
            assert available_then >= 0, (account, row["withdrawal_id"], available_then)


# the ledger's daily totals recomputed from every entry (migration 0012 keeps them on write)
LEDGER_DAILY_TOTALS_RECOMPUTED = """
    select producer_id, currency, (available_at at time zone 'UTC')::date as available_on,
           sum(amount) as amount, sum(blocked_amount) as blocked_amount, count(*) as entries
    from statement_entries
    group by 1, 2, 3
"""
LEDGER_DAILY_TOTALS_KEPT = """
    select producer_id, currency, available_on, amount, blocked_amount, entries
    from ledger_daily_totals
    where entries <> 0 or amount <> 0 or blocked_amount <> 0
"""


# the made sales' daily totals recomputed from every sale, one dimension after the other (migration 0013 keeps
# them on write)
SALES_DAILY_TOTALS_RECOMPUTED = """
    with made as (
        select s.*, (s.created_at at time zone p.time_zone)::date as day
        from sales s join producers p on p.id = s.producer_id
        where s.status in ('APPROVED', 'COMPLETE')
    ),
    valued as (
        select producer_id, 'total' as dimension, day, currency, '' as value, gross_amount, net_amount,
               affiliate_commission
        from made
        union all
        select producer_id, 'payment_method', day, currency, payment_method, gross_amount, net_amount,
               affiliate_commission
        from made
        union all
        select producer_id, 'device', day, currency, device, gross_amount, net_amount, affiliate_commission
        from made
        union all
        select producer_id, 'product', day, currency, product_id::text, gross_amount, net_amount,
               affiliate_commission
        from made
        union all
        select producer_id, 'source', day, currency,
               case when coalesce(source, '') = '' or lower(source) = 'direct' then '(direct)' else source end,
               gross_amount, net_amount, affiliate_commission
        from made
        union all
        select producer_id, 'product_affiliate', day, currency, product_id || ':' || affiliate_id, gross_amount,
               net_amount, affiliate_commission
        from made
        where affiliate_id is not null
    )
    select producer_id, dimension, day, currency, value, count(*) as sales, sum(gross_amount) as gross,
           sum(net_amount) as net, sum(affiliate_commission) as commission
    from valued
    group by 1, 2, 3, 4, 5
"""
SALES_DAILY_TOTALS_KEPT = """
    select producer_id, dimension, day, currency, value, sales, gross, net, commission
    from sales_daily_totals
    where sales <> 0 or gross <> 0 or net <> 0 or commission <> 0
"""

# granted refunds per day of request, product and currency of the sale (migration 0014 keeps them on write)
REFUNDS_DAILY_TOTALS_RECOMPUTED = """
    select r.producer_id, (r.requested_at at time zone p.time_zone)::date as day, s.currency, s.product_id,
           count(*) as refunds
    from refunds r
    join producers p on p.id = r.producer_id
    join sales s on s.id = r.sale_id
    where r.status in ('APPROVED', 'COMPLETED')
    group by 1, 2, 3, 4
"""
REFUNDS_DAILY_TOTALS_KEPT = (
    "select producer_id, day, currency, product_id, refunds from refunds_daily_totals where refunds <> 0"
)


async def check_derived_totals(connection: asyncpg.Connection) -> None:
    """Every total kept on write (run as the owner: all producers) equals its recomputation from the rows."""
    for kept, recomputed in (
        (LEDGER_DAILY_TOTALS_KEPT, LEDGER_DAILY_TOTALS_RECOMPUTED),
        (SALES_DAILY_TOTALS_KEPT, SALES_DAILY_TOTALS_RECOMPUTED),
        (REFUNDS_DAILY_TOTALS_KEPT, REFUNDS_DAILY_TOTALS_RECOMPUTED),
    ):
        differences = await connection.fetch(
            f"(({kept}) except all ({recomputed})) union all (({recomputed}) except all ({kept})) limit 10"
        )
        assert not differences, [dict(row) for row in differences]
