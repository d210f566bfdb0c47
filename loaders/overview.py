"""Aggregates of the Sales Management card: sales and lost sales of a period, per currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.database import TenantDatabase
from loaders.lost_sales import LAST_ATTEMPT
from loaders.sales import MADE_STATUSES


@dataclass(slots=True)
class CurrencySalesRow:
    currency: str
    count: int
    gross_revenue: Decimal
    net_revenue: Decimal


@dataclass(slots=True)
class LostSalesRow:
    """Lost sales of one currency: the last failed attempt per buyer and product."""

    currency: str
    count: int
    recovered_count: int
    potential_revenue: Decimal  # of those not recovered


async def card_by_currency(
    db: TenantDatabase, start: datetime, end: datetime, currency: str | None
) -> tuple[list[CurrencySalesRow], list[LostSalesRow]]:
    """The card of [start, end) per currency, in one statement (one round trip):

    - made sales (APPROVED or COMPLETE) created in the period, with their gross and net sums;
    - lost sales that count (the last attempt per buyer and product) made in the period, how many of them
      were recovered, and the revenue of those that were not.
    """
    rows = await db.fetch(
        f"""
        select 'sales' as part, currency, count(*) as count, sum(gross_amount) as gross_revenue,
               sum(net_amount) as net_revenue, null::bigint as recovered_count, null::numeric as potential_revenue
        from sales
        where producer_id = $1 and created_at >= $2 and created_at < $3
          and status = any($5::text[]) and ($4::text is null or currency = $4)
        group by currency
        union all
        select 'lost', currency, count(*), null, null, count(recovered_sale_id),
               coalesce(sum(amount) filter (where recovered_sale_id is null), 0)
        from lost_sales l
        where l.producer_id = $1 and l.created_at >= $2 and l.created_at < $3
          and ($4::text is null or l.currency = $4) and {LAST_ATTEMPT}
        group by currency
        order by part, currency
        """,
        db.producer_id,
        start,
        end,
        currency,
        MADE_STATUSES,
    )
    sales = [
        CurrencySalesRow(row["currency"], row["count"], row["gross_revenue"], row["net_revenue"])
        for row in rows
        if row["part"] == "sales"
    ]
    lost = [
        LostSalesRow(row["currency"], row["count"], row["recovered_count"], row["potential_revenue"])
        for row in rows
        if row["part"] == "lost"
    ]
    return sales, lost
