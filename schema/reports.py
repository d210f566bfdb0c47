"""Reports and analytics over a period."""

from __future__ import annotations

import datetime
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, cast

import strawberry
from strawberry.types import Info

from loaders import reports as report_rows
from resolvers import catalog as catalog_resolvers
from resolvers import reports as reports_resolvers
from resolvers.context import Context
from resolvers.reports import Bucket
from schema.catalog import Product
from schema.common import DateRangeInput, Money
from schema.cost import AGGREGATE, cost
from schema.enums import CurrencyCode, Device, PaymentMethod, TimeBucket
from schema.relations import relation
from schema.rows import FromRow, row_type


@row_type()
@strawberry.type(description="Made sales paid with one method, in one currency.")
class PaymentMethodShare(FromRow):
    payment_method: PaymentMethod
    sales: int
    revenue: Money
    share: Decimal = strawberry.field(description='Percent of the currency\'s revenue, e.g. "45.10".')


@row_type()
@strawberry.type(description="Made sales from one kind of device, in one currency.")
class DeviceRevenue(FromRow):
    device: Device
    sales: int
    revenue: Money = strawberry.field(description="Gross revenue of those sales.")


@strawberry.type(description="Lost sales of a period and how many were recovered.")
class RecoveryReport:
    lost: int = strawberry.field(
        description="Lost sales counted once per buyer and product (the last failed attempt, if it is in the period)."
    )
    recovered: int = strawberry.field(description="Of those, how many a later made sale recovered.")
    recovery_rate: Decimal = strawberry.field(
        description='recovered / lost in percent, 2 decimals, e.g. "33.33"; "0.00" when nothing was lost.'
    )
    recovered_revenue: list[Money] = strawberry.field(
        description="Gross of the recovering sales (whenever they were made), one entry per currency."
    )


@row_type()
@strawberry.type(description="One product's sales in one currency.")
class ProductRevenue(FromRow):
    sales: int = strawberry.field(description="Made sales (APPROVED or COMPLETE) created in the period.")
    gross_revenue: Money
    net_revenue: Money = strawberry.field(description="What the producer keeps of those sales.")
    refunds: int = strawberry.field(
        description="Refunds requested in the period and granted (status APPROVED or COMPLETED) for any sale "
        "of this product in this currency, whatever the sale's date or current status."
    )
    row: strawberry.Private[Any]  # a report row with the product's id
    product: Product = relation(catalog_resolvers.PRODUCT)


@strawberry.type(description="A product that affiliates sold in the period.")
class PromotedProduct:
    affiliates: int = strawberry.field(description="Distinct affiliates with a made sale of it in the period.")
    sales: int = strawberry.field(description="Made sales of it through an affiliate, every currency.")
    revenue: list[Money] = strawberry.field(description="Gross of those sales, one entry per currency.")
    commission: list[Money] = strawberry.field(description="Affiliates' commission, one entry per currency.")
    row: strawberry.Private[Any]  # a report row with the product's id
    product: Product = relation(catalog_resolvers.PRODUCT)

    @classmethod
    def of(cls, row: report_rows.PromotedProductRow) -> PromotedProduct:
        """The product of the row, its sales and amounts still to be added up over its currencies."""
        return cls(row=row, affiliates=row.affiliates, sales=0, revenue=[], commission=[])


@row_type()
@strawberry.type(description="Made sales of one time bucket in one currency (the currency of grossRevenue).")
class TimePoint(FromRow):
    start: datetime.date = strawberry.field(
        description="The bucket's first day: the day, the Monday of the ISO week, or the 1st of the month, "
        "even when the period starts later (the bucket then counts from the period's first day)."
    )
    sales: int
    gross_revenue: Money


@strawberry.type(description="How one traffic source converts.")
class TrafficSource:
    source: str = strawberry.field(
        description='The traffic source / utm; "(direct)" when there is none (or it is the word "direct").'
    )
    sales: int = strawberry.field(description="Made sales created in the period.")
    lost_sales: int = strawberry.field(
        description="Lost sales (last failed attempt per buyer and product) in the period, by the attempt's source."
    )
    conversion_rate: Decimal = strawberry.field(
        description='sales / (sales + lostSales) in percent, 2 decimals, e.g. "75.00".'
    )
    revenue: list[Money] = strawberry.field(description="Gross of the made sales, one entry per currency.")

    @classmethod
    def of(cls, row: report_rows.SourceRow) -> TrafficSource:
        """The source of the row, its revenue still to be listed over its currencies."""
        return cls(
            source=row.source,
            sales=row.sales,
            lost_sales=row.lost_sales,
            conversion_rate=row.conversion_rate,
            revenue=[],
        )


def _currency(value: CurrencyCode | None) -> str | None:
    return value.name if value else None


def _rows_of(fetch: Callable[..., Awaitable[list[Any]]], shown_as: type[FromRow], *, description: str) -> Any:
    """A report field of rows per something and currency over a period, of one currency if asked."""

    async def resolve(info: Info[Context, None], period: DateRangeInput, currency: CurrencyCode | None = None) -> Any:
        rows = await fetch(info.context, period.from_, period.to, _currency(currency))
        return [shown_as.from_row(row) for row in rows]

    return strawberry.field(resolver=resolve, description=description, metadata=cost(AGGREGATE))


async def _purchase_recovery(info: Info[Context, None], period: DateRangeInput) -> RecoveryReport:
    row = await reports_resolvers.purchase_recovery(info.context, period.from_, period.to)
    return RecoveryReport(
        lost=row.lost,
        recovered=row.recovered,
        recovery_rate=row.recovery_rate,
        recovered_revenue=[Money.of(amount, currency) for currency, amount in row.recovered_revenue],
    )


async def _promoted_products(info: Info[Context, None], period: DateRangeInput) -> list[PromotedProduct]:
    rows = await reports_resolvers.promoted_products(info.context, period.from_, period.to)
    products: dict[int, PromotedProduct] = {}
    for row in rows:
        product = products.setdefault(row.product_id, PromotedProduct.of(row))
        product.sales += row.sales
        product.revenue.append(Money.of(row.revenue, row.currency))
        product.commission.append(Money.of(row.commission, row.currency))
    return list(products.values())


async def _revenue_over_time(
    info: Info[Context, None], period: DateRangeInput, bucket: TimeBucket, currency: CurrencyCode | None = None
) -> list[TimePoint]:
    days, bucket_name = (period.from_, period.to), cast(Bucket, bucket.name)
    rows = await reports_resolvers.revenue_over_time(info.context, *days, bucket_name, _currency(currency))
    return [TimePoint.from_row(row) for row in rows]


async def _traffic_sources(info: Info[Context, None], period: DateRangeInput) -> list[TrafficSource]:
    rows = await reports_resolvers.traffic_sources(info.context, period.from_, period.to)
    sources: dict[str, TrafficSource] = {}
    for row in rows:
        source = sources.setdefault(row.source, TrafficSource.of(row))
        if row.currency is not None and row.revenue is not None:
            source.revenue.append(Money.of(row.revenue, row.currency))
    return list(sources.values())


@strawberry.type(
    description="Reports over a period: inclusive days in the producer's time zone, at most 3660 of them. "
    "Sales count when made (APPROVED or COMPLETE) and belong to the day they were created. Amounts are "
    "never added across currencies. Scope: reports:read."
)
class Reports:
    payment_methods: list[PaymentMethodShare] = _rows_of(
        reports_resolvers.payment_methods,
        PaymentMethodShare,
        description="Made sales per payment method, one row per method and currency. Scope: reports:read.",
    )
    revenue_by_device: list[DeviceRevenue] = _rows_of(
        reports_resolvers.revenue_by_device,
        DeviceRevenue,
        description="Made sales per device, one row per device and currency, by currency then revenue "
        "(descending). Scope: reports:read.",
    )
    purchase_recovery: RecoveryReport = strawberry.field(
        resolver=_purchase_recovery,
        description="Lost sales whose last attempt is in the period, and how many of them were recovered. "
        "Scope: reports:read.",
        metadata=cost(AGGREGATE),
    )
    product_revenue: list[ProductRevenue] = _rows_of(
        reports_resolvers.product_revenue,
        ProductRevenue,
        description="Sales per product, one row per product and currency with made sales or granted refunds "
        "in the period, by gross revenue (descending). Scope: reports:read.",
    )
    promoted_products: list[PromotedProduct] = strawberry.field(
        resolver=_promoted_products,
        description="Products with made sales through affiliates in the period, by those sales (descending). "
        "Scope: reports:read.",
        metadata=cost(AGGREGATE),
    )
    revenue_over_time: list[TimePoint] = strawberry.field(
        resolver=_revenue_over_time,
        description="Made sales per time bucket (in the producer's time zone; weeks are ISO weeks, from "
        "Monday), one point per bucket and currency, empty buckets included with zeros for every currency "
        "with a made sale in the period; by bucket, then currency. Scope: reports:read.",
        metadata=cost(AGGREGATE),
    )
    traffic_sources: list[TrafficSource] = strawberry.field(
        resolver=_traffic_sources,
        description="Which traffic sources convert: made and lost sales per source, by sales (descending). "
        "Scope: reports:read.",
        metadata=cost(AGGREGATE),
    )
