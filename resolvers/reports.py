"""Reports over a period, in the producer's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from loaders import reports as report_loaders
from loaders.reports import (
    DeviceRow,
    PaymentMethodRow,
    ProductRevenueRow,
    PromotedProductRow,
    RecoveryRow,
    SourceRow,
    TimePointRow,
)
from resolvers.context import Context
from resolvers.periods import Period, period_of
from resolvers.producers import viewer
from resolvers.scopes import require_scope

Bucket = Literal["DAY", "WEEK", "MONTH"]


def reports(context: Context) -> None:
    """Reports are for keys with the `reports:read` scope; each report is then computed when selected."""
    require_scope(context.principal, "reports:read")


async def report_period(context: Context, first_day: date, last_day: date) -> Period:
    producer = await viewer(context)
    return period_of(first_day, last_day, producer.time_zone)


async def payment_methods(
    context: Context, first_day: date, last_day: date, currency: str | None
) -> list[PaymentMethodRow]:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.payment_methods(context.db, period, currency)


async def revenue_by_device(context: Context, first_day: date, last_day: date, currency: str | None) -> list[DeviceRow]:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.revenue_by_device(context.db, period, currency)


async def purchase_recovery(context: Context, first_day: date, last_day: date) -> RecoveryRow:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.purchase_recovery(context.db, period)


async def product_revenue(
    context: Context, first_day: date, last_day: date, currency: str | None
) -> list[ProductRevenueRow]:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.product_revenue(context.db, period, currency)


async def promoted_products(context: Context, first_day: date, last_day: date) -> list[PromotedProductRow]:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.promoted_products(context.db, period)


async def traffic_sources(context: Context, first_day: date, last_day: date) -> list[SourceRow]:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.traffic_sources(context.db, period)


@dataclass(frozen=True, slots=True)
class BucketSpan:
    """One bucket of a period: named by its calendar first day, counting from `first_day` (the later of
    that day and the period's first day) until the next bucket's `first_day`, in the producer's days."""

    start: date
    first_day: date


def bucket_start(day: date, bucket: Bucket) -> date:
    """The first day of the bucket holding `day`: itself, the Monday of its ISO week, or the 1st of its month."""
    if bucket == "DAY":
        return day
    if bucket == "WEEK":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_bucket_start(start: date, bucket: Bucket) -> date:
    if bucket == "DAY":
        return start + timedelta(days=1)
    if bucket == "WEEK":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def time_buckets(period: Period, bucket: Bucket) -> list[BucketSpan]:
    """The buckets covering the period's days, in the period's time zone (days from local midnight to local
    midnight, so a day is 23 or 25 hours long across a DST change)."""
    buckets: list[BucketSpan] = []
    day = bucket_start(period.first_day, bucket)
    while day <= period.last_day:
        buckets.append(BucketSpan(day, max(day, period.first_day)))
        day = next_bucket_start(day, bucket)
    return buckets


async def revenue_over_time(
    context: Context, first_day: date, last_day: date, bucket: Bucket, currency: str | None
) -> list[TimePointRow]:
    period = await report_period(context, first_day, last_day)
    buckets = time_buckets(period, bucket)
    return await report_loaders.revenue_over_time(
        context.db, period, [b.start for b in buckets], [b.first_day for b in buckets], currency
    )
