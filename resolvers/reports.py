"""Reports over a period, in the producer's time zone."""

from __future__ import annotations

from datetime import date

from gateway.context import Context
from loaders.reports import PaymentMethodRow
from loaders.reports import payment_methods as payment_methods_report
from resolvers.periods import Period, period_of
from resolvers.viewer import viewer


async def report_period(context: Context, first_day: date, last_day: date) -> Period:
    producer = await viewer(context)
    return period_of(first_day, last_day, producer.time_zone)


async def payment_methods(
    context: Context, first_day: date, last_day: date, currency: str | None
) -> list[PaymentMethodRow]:
    period = await report_period(context, first_day, last_day)
    return await payment_methods_report(context.db, period.start, period.end, currency)
