"""Report aggregates over a period, computed in SQL per currency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from loaders.database import TenantDatabase
from loaders.lost_sales import LAST_ATTEMPT
from loaders.sales import MADE_STATUSES

R = TypeVar("R")

# made sales (APPROVED or COMPLETE) created in the period: $1 the producer, [$2, $3) the period, $4 MADE_STATUSES
MADE_IN_PERIOD = "producer_id = $1 and created_at >= $2 and created_at < $3 and status = any($4::text[])"


async def _report(
    db: TenantDatabase, sql: str, row_type: Callable[..., R], start: datetime, end: datetime, *more: Any
) -> list[R]:
    """The rows of a report statement whose parameters are those of `MADE_IN_PERIOD`, then `more` ($5...).

    Planned for its own parameter values: see `TenantDatabase.plan_per_execution`."""
    rows = await db.fetch(sql, db.producer_id, start, end, MADE_STATUSES, *more, per_producer_plan=True)
    return [row_type(*row) for row in rows]


@dataclass(slots=True)
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
    sql = f"""
        select payment_method, currency, sales, revenue,
               case when sum(revenue) over (partition by currency) = 0 then 0
                    else round(100 * revenue / sum(revenue) over (partition by currency), 2) end as share
        from (
            select payment_method, currency, count(*) as sales, sum(gross_amount) as revenue
            from sales
            where {MADE_IN_PERIOD}
              and ($5::text is null or currency = $5)
            group by payment_method, currency
        ) per_method
        order by currency, revenue desc, payment_method
        """
    return await _report(db, sql, PaymentMethodRow, start, end, currency)


@dataclass(slots=True)
class DeviceRow:
    device: str
    currency: str
    sales: int
    revenue: Decimal


async def revenue_by_device(
    db: TenantDatabase, start: datetime, end: datetime, currency: str | None
) -> list[DeviceRow]:
    """Made sales per device and currency created in [start, end): count and gross revenue."""
    sql = f"""
        select device, currency, count(*) as sales, sum(gross_amount) as revenue
        from sales
        where {MADE_IN_PERIOD}
          and ($5::text is null or currency = $5)
        group by device, currency
        order by currency, revenue desc, device
        """
    return await _report(db, sql, DeviceRow, start, end, currency)


# Lost sales counted by the rule: the last failed attempt per buyer and product (no later attempt exists
# at all, as in loaders/lost_sales.py), placed in a period by that attempt's created_at.
_LAST_ATTEMPTS_IN_PERIOD = f"""
    select l.id, l.reason, l.source, l.recovered_sale_id
    from lost_sales l
    where l.producer_id = $1 and l.created_at >= $2 and l.created_at < $3 and {LAST_ATTEMPT}
"""


@dataclass(slots=True)
class RecoveryRow:
    """Lost and recovered counts of a period, and the gross of the recovering sales per currency."""

    lost: int
    recovered: int
    recovery_rate: Decimal  # percent, 2 decimals
    recovered_revenue: list[tuple[str, Decimal]]  # (currency, gross), by currency


async def purchase_recovery(db: TenantDatabase, start: datetime, end: datetime) -> RecoveryRow:
    """Lost sales whose last attempt is in [start, end), how many of them were recovered, and the gross of
    the sales that recovered them (each recovering sale once, in its own currency)."""
    rows = await db.fetch(
        f"""
        with last_attempts as ({_LAST_ATTEMPTS_IN_PERIOD}),
        totals as (
            select count(*) as lost, count(recovered_sale_id) as recovered from last_attempts
        ),
        recovering as (
            select s.currency, sum(s.gross_amount) as revenue
            from sales s
            where s.producer_id = $1 and s.id in (select recovered_sale_id from last_attempts)
            group by s.currency
        )
        select t.lost, t.recovered,
               case when t.lost = 0 then 0.00 else round(100.0 * t.recovered / t.lost, 2) end as recovery_rate,
               r.currency, r.revenue
        from totals t
        left join recovering r on true
        order by r.currency
        """,
        db.producer_id,
        start,
        end,
        per_producer_plan=True,
    )
    first = rows[0]
    return RecoveryRow(
        lost=first["lost"],
        recovered=first["recovered"],
        recovery_rate=first["recovery_rate"],
        recovered_revenue=[(row["currency"], row["revenue"]) for row in rows if row["currency"] is not None],
    )


REFUND_COUNTED_STATUSES = ["APPROVED", "COMPLETED"]


@dataclass(slots=True)
class ProductRevenueRow:
    product_id: int
    currency: str
    sales: int
    gross_revenue: Decimal
    net_revenue: Decimal
    refunds: int


async def product_revenue(
    db: TenantDatabase, start: datetime, end: datetime, currency: str | None
) -> list[ProductRevenueRow]:
    """Per product and currency: made sales created in [start, end) (count, gross, net), and the refunds
    requested in [start, end) that were granted (APPROVED or COMPLETED) for any sale of that product in
    that currency, whatever the sale's date or status. A product appears if it has either; gross desc."""
    sql = f"""
        select product_id, currency,
               sum(sales)::bigint as sales, sum(gross_revenue) as gross_revenue,
               sum(net_revenue) as net_revenue, sum(refunds)::bigint as refunds
        from (
            select product_id, currency, count(*) as sales, sum(gross_amount) as gross_revenue,
                   sum(net_amount) as net_revenue, 0 as refunds
            from sales
            where {MADE_IN_PERIOD}
              and ($5::text is null or currency = $5)
            group by product_id, currency
            union all
            select s.product_id, s.currency, 0, 0.00, 0.00, count(*)
            from refunds r
            join sales s on s.producer_id = r.producer_id and s.id = r.sale_id
            where r.producer_id = $1 and s.producer_id = $1 and r.requested_at >= $2 and r.requested_at < $3
              and r.status = any($6::text[]) and ($5::text is null or s.currency = $5)
            group by s.product_id, s.currency
        ) parts
        group by product_id, currency
        order by gross_revenue desc, currency, product_id
        """
    return await _report(db, sql, ProductRevenueRow, start, end, currency, REFUND_COUNTED_STATUSES)


@dataclass(slots=True)
class PromotedProductRow:
    """Made sales of one product brought in by affiliates, in one currency."""

    product_id: int
    affiliates: int  # distinct affiliates of the product over every currency
    currency: str
    sales: int
    revenue: Decimal
    commission: Decimal


async def promoted_products(db: TenantDatabase, start: datetime, end: datetime) -> list[PromotedProductRow]:
    """Made sales with an affiliate created in [start, end), per product and currency, with the number of
    distinct affiliates per product. Products ordered by their affiliate sales (all currencies) desc."""
    sql = f"""
        with promoted as (
            select product_id, affiliate_id, currency, gross_amount, affiliate_commission
            from sales
            where {MADE_IN_PERIOD}
              and affiliate_id is not null
        ),
        per_product as (
            select product_id, count(distinct affiliate_id) as affiliates, count(*) as total_sales
            from promoted
            group by product_id
        )
        select c.product_id, p.affiliates, c.currency, c.sales, c.revenue, c.commission
        from (
            select product_id, currency, count(*) as sales, sum(gross_amount) as revenue,
                   sum(affiliate_commission) as commission
            from promoted
            group by product_id, currency
        ) c
        join per_product p on p.product_id = c.product_id
        order by p.total_sales desc, c.product_id, c.currency
        """
    return await _report(db, sql, PromotedProductRow, start, end)


@dataclass(slots=True)
class TimePointRow:
    start: date
    currency: str
    sales: int
    gross_revenue: Decimal


async def revenue_over_time(
    db: TenantDatabase,
    start: datetime,
    end: datetime,
    bucket_days: list[date],
    bucket_starts: list[datetime],
    currency: str | None,
) -> list[TimePointRow]:
    """Made sales created in [start, end) per time bucket and currency.

    The buckets are given: `bucket_days[i]` names the bucket that begins at the instant `bucket_starts[i]`
    (ascending, the first equal to `start`) and lasts until the next one (the last one until `end`).
    Every bucket is returned for every currency with a made sale in [start, end), zeros included; no
    currency at all gives no rows. Ordered by bucket, then currency.
    """
    sql = f"""
        with made as (
            select currency, width_bucket(created_at, $6::timestamptz[]) as bucket,
                   count(*) as sales, sum(gross_amount) as gross_revenue
            from sales
            where {MADE_IN_PERIOD} and ($5::text is null or currency = $5)
            group by currency, bucket
        )
        select b.start, c.currency, coalesce(m.sales, 0) as sales, coalesce(m.gross_revenue, 0.00) as gross_revenue
        from unnest($7::date[]) with ordinality as b(start, bucket)
        cross join (select distinct currency from made) c
        left join made m on m.bucket = b.bucket and m.currency = c.currency
        order by b.bucket, c.currency
        """
    return await _report(db, sql, TimePointRow, start, end, currency, bucket_starts, bucket_days)


DIRECT_SOURCE = "(direct)"
# a visit with no source, or one tagged "direct", is direct traffic: one row, named DIRECT_SOURCE ($5)
TRAFFIC_SOURCE = "case when source is null or source = '' or lower(source) = 'direct' then $5 else source end"


@dataclass(slots=True)
class SourceRow:
    """One traffic source; `currency`/`revenue` are None for a source with lost sales only."""

    source: str
    sales: int
    lost_sales: int
    conversion_rate: Decimal  # percent, 2 decimals
    currency: str | None
    revenue: Decimal | None


async def traffic_sources(db: TenantDatabase, start: datetime, end: datetime) -> list[SourceRow]:
    """Per traffic source (none, empty or "direct" reported as "(direct)"): made sales created in [start, end), lost
    sales whose last attempt is in [start, end), sales / (sales + lost) in percent, and the gross revenue
    per currency (one row per source and currency). Ordered by sales desc, lost sales desc, source (bytewise)."""
    sql = f"""
        with made as (
            select {TRAFFIC_SOURCE} as source, currency, count(*) as sales,
                   sum(gross_amount) as revenue
            from sales
            where {MADE_IN_PERIOD}
            group by 1, currency
        ),
        made_totals as (
            select source, sum(sales)::bigint as sales from made group by source
        ),
        lost as (
            select {TRAFFIC_SOURCE} as source, count(*) as lost_sales
            from ({_LAST_ATTEMPTS_IN_PERIOD}) last_attempts
            group by 1
        ),
        per_source as (
            select coalesce(t.source, l.source) as source, coalesce(t.sales, 0) as sales,
                   coalesce(l.lost_sales, 0) as lost_sales
            from made_totals t
            full join lost l on l.source = t.source
        )
        select p.source, p.sales, p.lost_sales,
               round(100.0 * p.sales / (p.sales + p.lost_sales), 2) as conversion_rate,
               m.currency, m.revenue
        from per_source p
        left join made m on m.source = p.source
        order by p.sales desc, p.lost_sales desc, p.source collate "C", m.currency
        """
    return await _report(db, sql, SourceRow, start, end, DIRECT_SOURCE)
