"""Subscriptions (recurring purchases): pages, by id, their charges, and the period summary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.base import ProducerLoader, RowsByIdLoader, TenantDatabase, column_list
from loaders.paging import KeysetOrder, Page, PageRequest, fetch_page, keyset_clauses, page_of, qualified
from loaders.sales import SALE_COLUMNS, SaleRow
from loaders.where import Where


@dataclass(slots=True)
class SubscriptionRow:
    id: int
    buyer_id: int
    product_id: int
    plan_name: str
    price: Decimal
    currency: str
    status: str
    started_at: datetime
    cancelled_at: datetime | None
    next_charge_at: datetime | None
    recurrence: int


SUBSCRIPTION_COLUMNS = column_list(SubscriptionRow)
SUBSCRIPTIONS_ORDER = KeysetOrder("started_at", descending=True)
CHARGES_ORDER = KeysetOrder("created_at", descending=True)


@dataclass(frozen=True, slots=True)
class SubscriptionFilterSpec:
    statuses: list[str] | None = None
    product_ids: list[int] | None = None
    started_from: datetime | None = None
    started_to: datetime | None = None


def _subscriptions_where(producer_id: int, spec: SubscriptionFilterSpec) -> Where:
    where = Where()
    where.add("producer_id = {0}", producer_id)
    where.add_if(spec.statuses, "status = any({0}::text[])")
    where.add_if(spec.product_ids, "product_id = any({0}::bigint[])")
    where.add_if(spec.started_from, "started_at >= {0}")
    where.add_if(spec.started_to, "started_at < {0}")
    return where


async def subscriptions_page(
    db: TenantDatabase, spec: SubscriptionFilterSpec, page: PageRequest
) -> Page[SubscriptionRow]:
    select = f"select {SUBSCRIPTION_COLUMNS} from subscriptions"
    where = _subscriptions_where(db.producer_id, spec)
    return await fetch_page(db, select, where, SUBSCRIPTIONS_ORDER, page, lambda record: SubscriptionRow(*record))


async def count_subscriptions(db: TenantDatabase, spec: SubscriptionFilterSpec) -> int:
    where = _subscriptions_where(db.producer_id, spec)
    return int(await db.fetchval(f"select count(*) from subscriptions where {where.sql}", *where.parameters))


class SubscriptionByIdLoader(RowsByIdLoader[SubscriptionRow]):
    table, columns, row_type = "subscriptions", SUBSCRIPTION_COLUMNS, SubscriptionRow


class ChargesLoader(ProducerLoader[tuple[int, PageRequest], Page[SaleRow]]):
    """A page of the charges (sales) of each subscription: one statement per distinct page request."""

    async def batch_load_fn(self, keys: Sequence[tuple[int, PageRequest]]) -> list[Page[SaleRow] | None]:
        by_request: dict[PageRequest, list[int]] = {}
        for subscription_id, page in keys:
            by_request.setdefault(page, []).append(subscription_id)
        pages: dict[tuple[int, PageRequest], Page[SaleRow]] = {}
        for page, subscription_ids in by_request.items():
            condition, tail, parameters = keyset_clauses(CHARGES_ORDER, page, 3, alias="s")
            records = await self.db.fetch(
                f"""
                select charge.* from unnest($2::bigint[]) as parent(id)
                cross join lateral (
                    select {qualified(SALE_COLUMNS, "s")} from sales s
                    where s.producer_id = $1 and s.subscription_id = parent.id and {condition}
                    {tail}
                ) charge
                """,
                self.db.producer_id,
                subscription_ids,
                *parameters,
            )
            grouped: dict[int, list[SaleRow]] = {}
            for record in records:
                grouped.setdefault(record["subscription_id"], []).append(SaleRow(**record))
            for subscription_id in subscription_ids:
                pages[(subscription_id, page)] = page_of(grouped.get(subscription_id, []), page, lambda row: row)
        return [pages[key] for key in keys]


@dataclass(slots=True)
class SubscriptionSummaryRow:
    currency: str
    active: int
    new: int
    cancelled: int
    monthly_recurring_revenue: Decimal


async def subscription_summary(db: TenantDatabase, start: datetime, end: datetime) -> list[SubscriptionSummaryRow]:
    """Per currency: active at the end of [start, end), started and cancelled in it, and the MRR of the active.

    Active means started before the end, not cancelled by then, and not INACTIVE.
    """
    rows = await db.fetch(
        """
        select currency,
               count(*) filter (where active) as active,
               count(*) filter (where started_at >= $2 and started_at < $3) as new,
               count(*) filter (where cancelled_at >= $2 and cancelled_at < $3) as cancelled,
               coalesce(sum(price) filter (where active), 0) as monthly_recurring_revenue
        from (
            select currency, price, started_at, cancelled_at,
                   started_at < $3 and (cancelled_at is null or cancelled_at >= $3) and status <> 'INACTIVE'
                       as active
            from subscriptions
            where producer_id = $1
        ) s
        group by currency
        order by currency
        """,
        db.producer_id,
        start,
        end,
    )
    return [SubscriptionSummaryRow(**row) for row in rows]
