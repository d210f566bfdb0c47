"""Affiliations: the list and each one's performance over a period."""

from __future__ import annotations

from datetime import date

from gateway.context import Context
from loaders.affiliations import (
    AFFILIATIONS_ORDER,
    AffiliationFilterSpec,
    AffiliationPerformanceLoader,
    AffiliationRow,
    PerformanceRow,
    affiliations_page,
    count_affiliations,
)
from loaders.paging import Page
from resolvers.pagination import Window, order_name, page_request
from resolvers.periods import period_of
from resolvers.viewer import viewer

AFFILIATIONS_ORDER_NAME = order_name("affiliations", AFFILIATIONS_ORDER)
DEFAULT_PERFORMANCE_DAYS = 30


async def affiliations(context: Context, spec: AffiliationFilterSpec, window: Window) -> Page[AffiliationRow]:
    request = page_request(AFFILIATIONS_ORDER_NAME, "datetime", **window.arguments())
    return await affiliations_page(context.db, spec, request)


async def affiliations_count(context: Context, spec: AffiliationFilterSpec) -> int:
    return await count_affiliations(context.db, spec)


async def performance(
    context: Context, affiliation_id: int, first_day: date | None, last_day: date | None
) -> list[PerformanceRow]:
    """Made sales of the affiliation in the period (default: the last 30 days), per currency."""
    producer = await viewer(context)
    period = period_of(first_day, last_day, producer.time_zone, default_days=DEFAULT_PERFORMANCE_DAYS)
    rows = await context.loaders.get(AffiliationPerformanceLoader).load((affiliation_id, period.start, period.end))
    return rows or []
