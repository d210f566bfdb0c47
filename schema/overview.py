"""The Sales Management card."""

from __future__ import annotations

import datetime

import strawberry

from resolvers.overview import Overview
from schema.common import DateRange, Money
from schema.enums import CurrencyCode
from schema.rows import FromRow, row_type


@row_type()
@strawberry.type(description="Sales made in one currency: status APPROVED or COMPLETE.")
class CurrencySales(FromRow):
    currency: CurrencyCode
    count: int
    gross_revenue: Money = strawberry.field(description="Sum of the sales, before any deduction.")
    net_revenue: Money = strawberry.field(
        description='What the producer keeps after fees, taxes and commissions ("My commission").'
    )


@strawberry.type(description="Lost sales: the last failed attempt per buyer and product.")
class LostSalesTotal:
    count: int
    potential_revenue: list[Money] = strawberry.field(
        description="Revenue of the lost sales not recovered yet, one entry per currency."
    )
    recovered_count: int


@strawberry.type(description="The Sales Management card of a period (the last 7 days by default).")
class SalesOverview:
    period: DateRange
    sales: list[CurrencySales] = strawberry.field(description="One row per currency; empty when nothing was sold.")
    lost_sales: LostSalesTotal
    as_of: datetime.datetime

    @classmethod
    def from_overview(cls, overview: Overview) -> SalesOverview:
        return cls(
            period=DateRange(from_=overview.period.first_day, to=overview.period.last_day),
            sales=[CurrencySales.from_row(row) for row in overview.sales],
            lost_sales=LostSalesTotal(
                count=sum(row.count for row in overview.lost_sales),
                recovered_count=sum(row.recovered_count for row in overview.lost_sales),
                potential_revenue=[
                    Money.of(row.potential_revenue, row.currency)
                    for row in overview.lost_sales
                    if row.potential_revenue
                ],
            ),
            as_of=overview.as_of,
        )
