"""Subscriptions (recurring purchases): the list, by id, their charges and history of statuses, the period
summary, and the seller's cancellations and reactivations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from loaders.batching import column_list, rows_by_id
from loaders.database import TenantDatabase
from loaders.keyset import ChildPagesLoader, KeysetList, synced_orders
from loaders.sales import SALES, SaleRow
from loaders.where import any_of, equals, updated_since, within
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
    updated_at: datetime
    updated_xid: int  # the transaction that last wrote it (the UPDATED_AT order)


SUBSCRIPTION_COLUMNS = column_list(SubscriptionRow)


SUBSCRIPTIONS = KeysetList(
    "subscriptions",
    SubscriptionRow,
    "subscriptions sb",
    synced_orders("STARTED_AT:DESC"),
    (
        any_of("status", "sb.status"),
        any_of("product_ids", "sb.product_id", "bigint"),
        *within("started", "sb.started_at"),
        updated_since("sb.updated_at"),
    ),
)

CHARGES = SALES.renamed("charges", order_names=("CREATED_AT:DESC",))


SubscriptionByIdLoader = rows_by_id("subscriptions", SubscriptionRow)


@dataclass(slots=True)
class SubscriptionStatusChangeRow:
    id: int
    subscription_id: int
    status: str
    changed_at: datetime
    reason: str | None


STATUS_HISTORY = KeysetList(
    "status_history",
    SubscriptionStatusChangeRow,
    "subscription_status_changes h",
    ("CHANGED_AT:ASC",),
    (equals("subscription_id", "h.subscription_id"),),
)


class ChargesLoader(ChildPagesLoader[SaleRow]):
    """A page of the charges (sales) of each subscription."""

    keyset_list, parent_column = CHARGES, "subscription_id"


class StatusHistoryLoader(ChildPagesLoader[SubscriptionStatusChangeRow]):
    """A page of the statuses each subscription took, oldest first."""

    keyset_list, parent_column = STATUS_HISTORY, "subscription_id"


@dataclass(slots=True)
class SubscriptionSummaryRow:
    currency: str
    active: int
    new: int
    cancelled: int
    monthly_recurring_revenue: Decimal


async def subscription_summary(db: TenantDatabase, start: datetime, end: datetime) -> list[SubscriptionSummaryRow]:
    """Per currency: active at the end of [start, end), started and cancelled in it, and the MRR of the active.

    Active means started before the end and, by the subscription's history, neither cancelled nor INACTIVE
    then; cancellations are counted from the history, so a reactivation does not take one back.
    """
    rows = await db.fetch(
        """
        with at_end as (
            select s.currency, s.price, s.billing_months, s.started_at,
                   s.started_at < $3 and coalesce((
                       select h.status not like 'CANCELLED%' and h.status <> 'INACTIVE'
                       from subscription_status_changes h
                       where h.producer_id = $1 and h.subscription_id = s.id and h.changed_at < $3
                       order by h.changed_at desc, h.id desc
                       limit 1
                   ), false) as active
            from subscriptions s
            where s.producer_id = $1
        ),
        cancellations as (
            select s.currency, count(*) as cancelled
            from subscription_status_changes h
            join subscriptions s on s.producer_id = h.producer_id and s.id = h.subscription_id
            where h.producer_id = $1 and h.status like 'CANCELLED%' and h.changed_at >= $2 and h.changed_at < $3
            group by s.currency
        )
        select a.currency,
               count(*) filter (where a.active) as active,
               count(*) filter (where a.started_at >= $2 and a.started_at < $3) as new,
               coalesce(max(c.cancelled), 0) as cancelled,
               coalesce(round(sum(a.price / a.billing_months) filter (where a.active), 2), 0)
                   as monthly_recurring_revenue
        from at_end a
        left join cancellations c on c.currency = a.currency
        group by a.currency
        order by a.currency
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
