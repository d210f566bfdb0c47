"""Subscriptions: the list, the charges and history of each, the summary of a period, and the seller's changes."""

from __future__ import annotations

from datetime import date

import asyncpg

from loaders import subscriptions as subscription_store
from loaders.sales import SaleRow
from loaders.subscriptions import (
    SUBSCRIPTIONS,
    ChargesLoader,
    StatusHistoryLoader,
    SubscriptionByIdLoader,
    SubscriptionRow,
    SubscriptionStatusChangeRow,
    SubscriptionSummaryRow,
)
from loaders.where import Filters
from loaders.writes import Outcome
from resolvers.context import Context
from resolvers.lists import ListPage, Window, child_page, list_page
from resolvers.mutations import RowChange, reason_text
from resolvers.periods import Period, period_of
from resolvers.producers import viewer
from resolvers.relations import Relation
from resolvers.scopes import require_scope

SUBSCRIPTION = Relation("Subscription", SubscriptionByIdLoader, "subscription_id", scope="subscriptions:read")


async def subscriptions(
    context: Context, filters: Filters, window: Window, order: str | None = None
) -> ListPage[SubscriptionRow]:
    """Subscriptions, newest first. Scope: subscriptions:read."""
    return await list_page(context, SUBSCRIPTIONS, filters, window, scope="subscriptions:read", order=order)


async def charges(context: Context, subscription: SubscriptionRow, window: Window) -> ListPage[SaleRow]:
    """The sales that charged this subscription, newest first."""
    count_filters = {"subscription_id": subscription.id}
    return await child_page(context, ChargesLoader, subscription.id, window, count_filters)


async def status_history(
    context: Context, subscription: SubscriptionRow, window: Window
) -> ListPage[SubscriptionStatusChangeRow]:
    """The statuses the subscription took, oldest first: its start, then each change."""
    count_filters = {"subscription_id": subscription.id}
    return await child_page(context, StatusHistoryLoader, subscription.id, window, count_filters)


async def subscription_summary(
    context: Context, first_day: date | None, last_day: date | None
) -> tuple[Period, list[SubscriptionSummaryRow]]:
    require_scope(context.principal, "subscriptions:read")
    producer = await viewer(context)
    period = period_of(first_day, last_day, producer.time_zone)
    return period, await subscription_store.subscription_summary(context.db, period.start, period.end)


CANCEL_SUBSCRIPTION = RowChange("subscriptions:write", "cancelSubscription", "Subscription")
REACTIVATE_SUBSCRIPTION = RowChange("subscriptions:write", "reactivateSubscription", "Subscription")


async def cancel_subscription(context: Context, subscription_id: str, reason: str | None) -> Outcome[SubscriptionRow]:
    async def cancel(connection: asyncpg.Connection, producer_id: int, pk: int) -> Outcome[SubscriptionRow]:
        text = reason_text(reason, required=False)
        return await subscription_store.cancel_subscription(connection, producer_id, pk, text)

    return await CANCEL_SUBSCRIPTION.run(context, subscription_id, cancel, reason=reason)


async def reactivate_subscription(context: Context, subscription_id: str) -> Outcome[SubscriptionRow]:
    return await REACTIVATE_SUBSCRIPTION.run(context, subscription_id, subscription_store.reactivate_subscription)
