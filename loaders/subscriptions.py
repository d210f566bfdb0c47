"""Subscriptions (recurring purchases): the list, by id, their charges, the period summary, and the seller's
cancellations and reactivations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from loaders.batching import column_list, rows_by_id
from loaders.database import TenantDatabase
from loaders.keyset import ChildPagesLoader, KeysetList
from loaders.sales import SALES, SaleRow
from loaders.where import any_of, within
from loaders.writes import Outcome, StatusChange, change_status


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
    billing_months: int


SUBSCRIPTION_COLUMNS = column_list(SubscriptionRow)


SUBSCRIPTIONS = KeysetList(
    "subscriptions",
    SubscriptionRow,
    "subscriptions sb",
    ("STARTED_AT:DESC",),
    (
        any_of("status", "sb.status"),
        any_of("product_ids", "sb.product_id", "bigint"),
        *within("started", "sb.started_at"),
    ),
)

CHARGES = SALES.renamed("charges", order_names=("CREATED_AT:DESC",))


SubscriptionByIdLoader = rows_by_id("subscriptions", SubscriptionRow)


class ChargesLoader(ChildPagesLoader[SaleRow]):
    """A page of the charges (sales) of each subscription."""

    keyset_list, parent_column = CHARGES, "subscription_id"


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
               coalesce(round(sum(price / billing_months) filter (where active), 2), 0)
                   as monthly_recurring_revenue
        from (
            select currency, price, billing_months, started_at, cancelled_at,
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
    return [SubscriptionSummaryRow(*row) for row in rows]


# the first due date after now on the subscription's schedule (each one counted from started_at: no drift)
NEXT_DUE = (
    "(select started_at + make_interval(months => n * billing_months) from generate_series(1, 1200) as n"
    " where started_at + make_interval(months => n * billing_months) > now() order by n limit 1)"
)

CANCELLATION = StatusChange(
    "subscriptions", "subscription", ("STARTED", "ACTIVE", "DELAYED", "OVERDUE"), SUBSCRIPTION_COLUMNS, SubscriptionRow
)
REACTIVATION = StatusChange(
    "subscriptions", "subscription", ("CANCELLED_BY_SELLER", "INACTIVE"), SUBSCRIPTION_COLUMNS, SubscriptionRow
)


async def cancel_subscription(
    connection: asyncpg.Connection, producer_id: int, subscription_id: int, reason: str | None
) -> Outcome[SubscriptionRow]:
    assignments = (
        "status = 'CANCELLED_BY_SELLER', cancelled_at = now(), next_charge_at = null, cancellation_reason = $3"
    )
    return await change_status(connection, CANCELLATION, producer_id, subscription_id, assignments, reason)


async def reactivate_subscription(
    connection: asyncpg.Connection, producer_id: int, subscription_id: int
) -> Outcome[SubscriptionRow]:
    """A subscription the seller cancelled, or one gone inactive, charges again on its original schedule: the
    next due date of every `billing_months` from `started_at` (the billing date is kept, no free period)."""
    assignments = "status = 'ACTIVE', cancelled_at = null, cancellation_reason = null, next_charge_at = " + NEXT_DUE
    return await change_status(connection, REACTIVATION, producer_id, subscription_id, assignments)
