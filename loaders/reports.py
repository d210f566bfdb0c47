"""Report aggregates over a period, computed in SQL per currency.

What made sales add up to comes from their daily totals per day of the producer's time zone, currency and
dimension (`sales_daily_totals`, kept exact by the writes: migration 0013): a period costs a row per day and
value, not a row per sale. Lost sales (counted by their last attempt, which a later attempt changes) and refunds
are read from their rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from loaders.database import TenantDatabase
from loaders.lost_sales import LAST_ATTEMPT
from loaders.periods import Period

R = TypeVar("R")

# the daily totals of one dimension over the period's days: $1 the producer, [$2, $3] the days (local)
TOTALS_IN_PERIOD = "producer_id = $1 and dimension = '{dimension}' and day >= $2 and day <= $3"


def _totals_of(dimension: str) -> str:
    return TOTALS_IN_PERIOD.format(dimension=dimension)


async def _report(db: TenantDatabase, sql: str, row_type: Callable[..., R], period: Period, *more: Any) -> list[R]:
    """The rows of a report statement whose parameters are those of `TOTALS_IN_PERIOD`, then `more` ($4...).

    Planned for its own parameter values: see `TenantDatabase.plan_per_execution`."""
    rows = await db.fetch(sql, db.producer_id, period.first_day, period.last_day, *more, per_producer_plan=True)
    return [row_type(*row) for row in rows]


@dataclass(slots=True)
class PaymentMethodRow:
    payment_method: str
    currency: str
    sales: int
    revenue: Decimal
    share: Decimal  # percent of the currency's revenue


async def payment_methods(db: TenantDatabase, period: Period, currency: str | None) -> list[PaymentMethodRow]:
    """Made sales per payment method and currency, with each method's share of its currency's revenue."""
    sql = f"""
        select payment_method, currency, sales, revenue,
               case when sum(revenue) over (partition by currency) = 0 then 0
                    else round(100 * revenue / sum(revenue) over (partition by currency), 2) end as share
        from (
            select value as payment_method, currency, sum(sales)::bigint as sales, sum(gross) as revenue
            from sales_daily_totals
            where {_totals_of("payment_method")}
              and ($4::text is null or currency = $4)
            group by value, currency
            having sum(sales) > 0
        ) per_method
        order by currency, revenue desc, payment_method
        """
    return await _report(db, sql, PaymentMethodRow, period, currency)


@dataclass(slots=True)
class DeviceRow:
    device: str
    currency: str
    sales: int
    revenue: Decimal


async def revenue_by_device(db: TenantDatabase, period: Period, currency: str | None) -> list[DeviceRow]:
    """Made sales per device and currency created in the period: count and gross revenue."""
    sql = f"""
        select value as device, currency, sum(sales)::bigint as sales, sum(gross) as revenue
        from sales_daily_totals
        where {_totals_of("device")}
          and ($4::text is null or currency = $4)
        group by value, currency
        having sum(sales) > 0
        order by currency, revenue desc, device
        """
    return await _report(db, sql, DeviceRow, period, currency)


def _last_attempts_in_period(start: str, end: str) -> str:
    """Lost sales counted by the rule: the last failed attempt per buyer and product (no later attempt exists
    at all, as in loaders/lost_sales.py), placed in a period by that attempt's created_at, in [start, end) (the
    parameters that hold the instants; $1 the producer)."""
    return f"""
        select l.id, l.reason, l.source, l.recovered_sale_id
        from lost_sales l
        where l.producer_id = $1 and l.created_at >= {start} and l.created_at < {end} and {LAST_ATTEMPT}
    """


@dataclass(slots=True)
class RecoveryRow:
    """Lost and recovered counts of a period, and the gross of the recovering sales per currency."""

    lost: int
    recovered: int
    recovery_rate: Decimal  # percent, 2 decimals
    recovered_revenue: list[tuple[str, Decimal]]  # (currency, gross), by currency


async def purchase_recovery(db: TenantDatabase, period: Period) -> RecoveryRow:
    """Lost sales whose last attempt is in [start, end), how many of them were recovered, and the gross of
    the sales that recovered them (each recovering sale once, in its own currency)."""
    rows = await db.fetch(
        f"""
        with last_attempts as ({_last_attempts_in_period("$2", "$3")}),
        totals as (
            select count(*) as lost, count(recovered_sale_id) as recovered from last_attempts
        ),
        recovering as (
            select s.currency, sum(s.gross_amount) as revenue
            from sales s
            where s.producer_id = $1
              and s.id = any(array(select distinct recovered_sale_id from last_attempts
                                   where recovered_sale_id is not null))
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
        period.start,
        period.end,
        per_producer_plan=True,
    )
    first = rows[0]
    return RecoveryRow(
        lost=first["lost"],
        recovered=first["recovered"],
        recovery_rate=first["recovery_rate"],
        recovered_revenue=[(row["currency"], row["revenue"]) for row in rows if row["currency"] is not None],
    )


@dataclass(slots=True)
class ProductRevenueRow:
    product_id: int
    currency: str
    sales: int
    gross_revenue: Decimal
    net_revenue: Decimal
    refunds: int


async def product_revenue(db: TenantDatabase, period: Period, currency: str | None) -> list[ProductRevenueRow]:
    """Per product and currency: made sales created in the period (count, gross, net), and the refunds
    requested in the period that were granted (APPROVED or COMPLETED) for any sale of that product in
    that currency, whatever the sale's date or status (their daily totals: migration 0014). A product appears if
    it has either; gross desc."""
    sql = f"""
        select product_id, currency,
               sum(sales)::bigint as sales, sum(gross_revenue) as gross_revenue,
               sum(net_revenue) as net_revenue, sum(refunds)::bigint as refunds
        from (
            select value::bigint as product_id, currency, sum(sales) as sales, sum(gross) as gross_revenue,
                   sum(net) as net_revenue, 0 as refunds
            from sales_daily_totals
            where {_totals_of("product")}
              and ($4::text is null or currency = $4)
            group by value, currency
            having sum(sales) > 0
            union all
            select product_id, currency, 0, 0.00, 0.00, sum(refunds)
            from refunds_daily_totals
            where producer_id = $1 and day >= $2 and day <= $3 and ($4::text is null or currency = $4)
            group by product_id, currency
            having sum(refunds) > 0
        ) parts
        group by product_id, currency
        order by gross_revenue desc, currency, product_id
        """
    return await _report(db, sql, ProductRevenueRow, period, currency)


@dataclass(slots=True)
class PromotedProductRow:
    """Made sales of one product brought in by affiliates, in one currency."""

    product_id: int
    affiliates: int  # distinct affiliates of the product over every currency
    currency: str
    sales: int
    revenue: Decimal
    commission: Decimal


async def promoted_products(db: TenantDatabase, period: Period) -> list[PromotedProductRow]:
    """Made sales with an affiliate created in the period, per product and currency, with the number of
    distinct affiliates per product. Products ordered by their affiliate sales (all currencies) desc."""
    sql = f"""
        with promoted as (
            select split_part(value, ':', 1)::bigint as product_id, split_part(value, ':', 2)::bigint as affiliate_id,
                   currency, sum(sales) as sales, sum(gross) as revenue, sum(commission) as commission
            from sales_daily_totals
            where {_totals_of("product_affiliate")}
            group by value, currency
            having sum(sales) > 0
        ),
        per_product as (
            select product_id, count(distinct affiliate_id) as affiliates, sum(sales) as total_sales
            from promoted
            group by product_id
        )
        select c.product_id, p.affiliates, c.currency, c.sales, c.revenue, c.commission
        from (
            select product_id, currency, sum(sales)::bigint as sales, sum(revenue) as revenue,
                   sum(commission) as commission
            from promoted
            group by product_id, currency
        ) c
        join per_product p on p.product_id = c.product_id
        order by p.total_sales desc, c.product_id, c.currency
        """
    return await _report(db, sql, PromotedProductRow, period)


@dataclass(slots=True)
class TimePointRow:
    start: date
    currency: str
    sales: int
    gross_revenue: Decimal


async def revenue_over_time(
    db: TenantDatabase,
    period: Period,
    bucket_days: list[date],
    bucket_first_days: list[date],
    currency: str | None,
) -> list[TimePointRow]:
    """Made sales created in the period per time bucket and currency.

    The buckets are given: `bucket_days[i]` names the bucket that counts from the day `bucket_first_days[i]`
    (ascending, the first equal to the period's first day) until the next one (the last one until the period's
    last day, included). Every bucket is returned for every currency with a made sale in the period, zeros
    included; no currency at all gives no rows. Ordered by bucket, then currency.
    """
    sql = f"""
        with made as (
            select currency, width_bucket(day, $5::date[]) as bucket,
                   sum(sales)::bigint as sales, sum(gross) as gross_revenue
            from sales_daily_totals
            where {_totals_of("total")} and ($4::text is null or currency = $4)
            group by currency, bucket
            having sum(sales) > 0
        )
        select b.start, c.currency, coalesce(m.sales, 0) as sales, coalesce(m.gross_revenue, 0.00) as gross_revenue
        from unnest($6::date[]) with ordinality as b(start, bucket)
        cross join (select distinct currency from made) c
        left join made m on m.bucket = b.bucket and m.currency = c.currency
        order by b.bucket, c.currency
        """
    return await _report(db, sql, TimePointRow, period, currency, bucket_first_days, bucket_days)


# a visit with no source, or one tagged "direct", is direct traffic: one row, named DIRECT_SOURCE ($4); the
# daily totals of the sales name it the same (migration 0013)
DIRECT_SOURCE = "(direct)"
TRAFFIC_SOURCE = "case when source is null or source = '' or lower(source) = 'direct' then $4 else source end"


@dataclass(slots=True)
class SourceRow:
    """One traffic source; `currency`/`revenue` are None for a source with lost sales only."""

    source: str
    sales: int
    lost_sales: int
    conversion_rate: Decimal  # percent, 2 decimals
    currency: str | None
    revenue: Decimal | None


async def traffic_sources(db: TenantDatabase, period: Period) -> list[SourceRow]:
    """Per traffic source (none, empty or "direct" reported as "(direct)"): made sales created in the period, lost
    sales whose last attempt is in the period, sales / (sales + lost) in percent, and the gross revenue
    per currency (one row per source and currency). Ordered by sales desc, lost sales desc, source (bytewise)."""
    sql = f"""
        with made as (
            select value as source, currency, sum(sales)::bigint as sales, sum(gross) as revenue
            from sales_daily_totals
            where {_totals_of("source")}
            group by value, currency
            having sum(sales) > 0
        ),
        made_totals as (
            select source, sum(sales)::bigint as sales from made group by source
        ),
        lost as (
            select {TRAFFIC_SOURCE} as source, count(*) as lost_sales
            from ({_last_attempts_in_period("$5", "$6")}) last_attempts
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
    return await _report(db, sql, SourceRow, period, DIRECT_SOURCE, period.start, period.end)
