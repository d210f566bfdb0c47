"""The Sales Management card: a period's sales and lost sales, per currency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from loaders.overview import CurrencySalesRow, LostSalesRow, card_by_currency
from resolvers.context import Context
from resolvers.periods import Period, period_of
from resolvers.producers import viewer
from resolvers.scopes import require_scope


@dataclass(frozen=True, slots=True)
class Overview:
    period: Period
    sales: list[CurrencySalesRow]
    lost_sales: list[LostSalesRow]
    as_of: datetime


async def sales_overview(
    context: Context, currency: str | None, first_day: date | None, last_day: date | None
) -> Overview:
    require_scope(context.principal, "sales:read")
    now = datetime.now(UTC)
    producer = await viewer(context)
    period = period_of(first_day, last_day, producer.time_zone, now=now)
    sales, lost = await card_by_currency(context.db, period.start, period.end, currency)
    return Overview(period=period, sales=sales, lost_sales=lost, as_of=now)
