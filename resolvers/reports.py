"""Reports over a period, in the producer's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
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
    return await report_loaders.payment_methods(context.db, period.start, period.end, currency)


async def revenue_by_device(context: Context, first_day: date, last_day: date, currency: str | None) -> list[DeviceRow]:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.revenue_by_device(context.db, period.start, period.end, currency)


async def purchase_recovery(context: Context, first_day: date, last_day: date) -> RecoveryRow:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.purchase_recovery(context.db, period.start, period.end)


async def product_revenue(
    context: Context, first_day: date, last_day: date, currency: str | None
) -> list[ProductRevenueRow]:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.product_revenue(context.db, period.start, period.end, currency)


async def promoted_products(context: Context, first_day: date, last_day: date) -> list[PromotedProductRow]:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.promoted_products(context.db, period.start, period.end)


async def traffic_sources(context: Context, first_day: date, last_day: date) -> list[SourceRow]:
    period = await report_period(context, first_day, last_day)
    return await report_loaders.traffic_sources(context.db, period.start, period.end)


@dataclass(frozen=True, slots=True)
class BucketSpan:
    """One bucket of a period: named by its calendar first day, counting from `starts_at` (the later of
    that day's local midnight and the period's start) until the next bucket's `starts_at`."""

    start: date
    starts_at: datetime


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
    """The buckets covering the period's days, in the period's time zone (local midnights, so a bucket
    is 23 or 25 hours long across a DST change)."""
    zone = period.start.tzinfo
    buckets: list[BucketSpan] = []
    day = bucket_start(period.first_day, bucket)
    while day <= period.last_day:
        first_counted = max(day, period.first_day)
        buckets.append(BucketSpan(day, datetime.combine(first_counted, time.min, tzinfo=zone)))
        day = next_bucket_start(day, bucket)
    return buckets


async def revenue_over_time(
    context: Context, first_day: date, last_day: date, bucket: Bucket, currency: str | None
) -> list[TimePointRow]:
    period = await report_period(context, first_day, last_day)
    buckets = time_buckets(period, bucket)
    return await report_loaders.revenue_over_time(
        context.db,
        period.start,
        period.end,
        [b.start for b in buckets],
        [b.starts_at for b in buckets],
        currency,
    )
