"""Reports and analytics over a period."""

from __future__ import annotations

from decimal import Decimal

import strawberry
from strawberry.types import Info

from gateway.context import Context
from resolvers import reports as report_resolvers
from schema.common import CurrencyCode, DateRangeInput, Money
from schema.sales import PaymentMethod


@strawberry.type(description="Made sales paid with one method, in one currency.")
class PaymentMethodRow:
    payment_method: PaymentMethod
    sales: int
    revenue: Money
    share: Decimal = strawberry.field(description='Percent of the currency\'s revenue, e.g. "45.10".')


@strawberry.type(description="Reports over a period (days in the producer's time zone). Scope: reports:read.")
class Reports:
    @strawberry.field(description="Made sales per payment method, one row per method and currency.")
    async def payment_methods(
        self, info: Info[Context, None], period: DateRangeInput, currency: CurrencyCode | None = None
    ) -> list[PaymentMethodRow]:
        rows = await report_resolvers.payment_methods(
            info.context, period.from_, period.to, currency.value if currency else None
        )
        return [
            PaymentMethodRow(
                payment_method=PaymentMethod(row.payment_method),
                sales=row.sales,
                revenue=Money.of(row.revenue, row.currency),
                share=row.share,
            )
            for row in rows
        ]


@strawberry.type
class ReportsQuery:
    @strawberry.field(description="Reports and analytics. Scope: reports:read.")
    def reports(self) -> Reports:
        return Reports()
