"""Subscriptions: the list, the charges of each, and the summary of a period."""

from __future__ import annotations

from datetime import date

from gateway.context import Context
from loaders.paging import Page
from loaders.sales import SaleRow
from loaders.subscriptions import (
    CHARGES_ORDER,
    SUBSCRIPTIONS_ORDER,
    ChargesLoader,
    SubscriptionFilterSpec,
    SubscriptionRow,
    SubscriptionSummaryRow,
    count_subscriptions,
    subscription_summary,
    subscriptions_page,
)
from resolvers.pagination import Window, order_name, page_request
from resolvers.periods import Period, period_of
from resolvers.viewer import viewer

SUBSCRIPTIONS_ORDER_NAME = order_name("subscriptions", SUBSCRIPTIONS_ORDER)
CHARGES_ORDER_NAME = order_name("charges", CHARGES_ORDER)


async def subscriptions(context: Context, spec: SubscriptionFilterSpec, window: Window) -> Page[SubscriptionRow]:
    request = page_request(SUBSCRIPTIONS_ORDER_NAME, "datetime", **window.arguments())
    return await subscriptions_page(context.db, spec, request)


async def subscriptions_count(context: Context, spec: SubscriptionFilterSpec) -> int:
    return await count_subscriptions(context.db, spec)


async def charges(context: Context, subscription_id: int, window: Window) -> Page[SaleRow]:
    request = page_request(CHARGES_ORDER_NAME, "datetime", **window.arguments())
    page = await context.loaders.get(ChargesLoader).load((subscription_id, request))
    assert page is not None
    return page


async def summary(
    context: Context, first_day: date | None, last_day: date | None
) -> tuple[Period, list[SubscriptionSummaryRow]]:
    producer = await viewer(context)
    period = period_of(first_day, last_day, producer.time_zone)
    return period, await subscription_summary(context.db, period.start, period.end)
