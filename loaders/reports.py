"""Report aggregates over a period, computed in SQL per currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.base import TenantDatabase
from loaders.overview import MADE_STATUSES


@dataclass(frozen=True, slots=True)
class PaymentMethodRow:
    payment_method: str
    currency: str
    sales: int
    revenue: Decimal
    share: Decimal  # percent of the currency's revenue


async def payment_methods(
    db: TenantDatabase, start: datetime, end: datetime, currency: str | None
) -> list[PaymentMethodRow]:
    """Made sales per payment method and currency, with each method's share of its currency's revenue."""
    rows = await db.fetch(
        """
        select payment_method, currency, sales, revenue,
               case when sum(revenue) over (partition by currency) = 0 then 0
                    else round(100 * revenue / sum(revenue) over (partition by currency), 2) end as share
        from (
            select payment_method, currency, count(*) as sales, sum(gross_amount) as revenue
            from sales
            where producer_id = $1 and created_at >= $2 and created_at < $3 and status = any($4::text[])
              and ($5::text is null or currency = $5)
            group by payment_method, currency
        ) per_method
        order by currency, revenue desc, payment_method
        """,
        db.producer_id,
        start,
        end,
        MADE_STATUSES,
        currency,
    )
    return [PaymentMethodRow(**row) for row in rows]
