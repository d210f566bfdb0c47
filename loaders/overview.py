"""Aggregates of the Sales Management card: sales and lost sales of a period, per currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.base import TenantDatabase
from loaders.lost_sales import LAST_ATTEMPT

MADE_STATUSES = ["APPROVED", "COMPLETE"]


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


async def sales_by_currency(
    db: TenantDatabase, start: datetime, end: datetime, currency: str | None
) -> list[CurrencySalesRow]:
    """Made sales (APPROVED or COMPLETE) created in [start, end), summed per currency."""
    rows = await db.fetch(
        """
        select currency, count(*) as count, sum(gross_amount) as gross_revenue, sum(net_amount) as net_revenue
        from sales
        where producer_id = $1 and created_at >= $2 and created_at < $3
          and status = any($4::text[]) and ($5::text is null or currency = $5)
        group by currency
        order by currency
        """,
        db.producer_id,
        start,
        end,
        MADE_STATUSES,
        currency,
    )
    return [CurrencySalesRow(**row) for row in rows]


async def lost_sales_by_currency(
    db: TenantDatabase, start: datetime, end: datetime, currency: str | None
) -> list[LostSalesRow]:
    """Lost sales that count (the last attempt per buyer and product) made in [start, end), per currency."""
    rows = await db.fetch(
        f"""
        select currency,
               count(*) as count,
               count(recovered_sale_id) as recovered_count,
               coalesce(sum(amount) filter (where recovered_sale_id is null), 0) as potential_revenue
        from lost_sales l
        where l.producer_id = $1 and l.created_at >= $2 and l.created_at < $3
          and ($4::text is null or l.currency = $4) and {LAST_ATTEMPT}
        group by currency
        order by currency
        """,
        db.producer_id,
        start,
        end,
        currency,
    )
    return [LostSalesRow(**row) for row in rows]
