"""Affiliations: the list, each one's performance over a period, and the producer's decisions on them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg

from loaders.affiliations import (
    AFFILIATIONS,
    AffiliationPerformanceLoader,
    AffiliationRow,
    PerformanceRow,
    decide_affiliation,
)
from loaders.where import Filters
from loaders.writes import Outcome, Refused, UserErrorCode
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.mutations import Invalid, RowChange, reason_text
from resolvers.periods import period_of
from resolvers.producers import viewer

DEFAULT_PERFORMANCE_DAYS = 30
MIN_COMMISSION_RATE = Decimal("0.01")
MAX_COMMISSION_RATE = Decimal("90.00")


async def affiliations(
    context: Context, filters: Filters, window: Window, order: str | None = None
) -> ListPage[AffiliationRow]:
    """Affiliations (applications and active ones), newest first. Scope: affiliations:read."""
    return await list_page(context, AFFILIATIONS, filters, window, scope="affiliations:read", order=order)


async def performance(
    context: Context, affiliation_id: int, first_day: date | None, last_day: date | None
) -> list[PerformanceRow]:
    """Made sales of the affiliation in the period (default: the last 30 days), per currency."""
    producer = await viewer(context)
    period = period_of(first_day, last_day, producer.time_zone, default_days=DEFAULT_PERFORMANCE_DAYS)
    rows = await context.loaders.get(AffiliationPerformanceLoader).load((affiliation_id, period.start, period.end))
    return rows or []


APPROVE_AFFILIATION = RowChange("affiliations:write", "approveAffiliation", "Affiliation")
REJECT_AFFILIATION = RowChange("affiliations:write", "rejectAffiliation", "Affiliation")
BLOCK_AFFILIATION = RowChange("affiliations:write", "blockAffiliation", "Affiliation")


async def approve_affiliation(
    context: Context, affiliation_id: str, commission_rate: Decimal | None
) -> Outcome[AffiliationRow]:
    async def approve(connection: asyncpg.Connection, producer_id: int, pk: int) -> Outcome[AffiliationRow]:
        rate = _commission_rate(commission_rate)
        return await decide_affiliation(connection, producer_id, pk, "ACTIVE", commission_rate=rate)

    rate = str(commission_rate) if commission_rate is not None else None
    return await APPROVE_AFFILIATION.run(context, affiliation_id, approve, reason=None, commissionRate=rate)


async def reject_affiliation(context: Context, affiliation_id: str, reason: str | None) -> Outcome[AffiliationRow]:
    return await _end(REJECT_AFFILIATION, "REJECTED", context, affiliation_id, reason)


async def block_affiliation(context: Context, affiliation_id: str, reason: str | None) -> Outcome[AffiliationRow]:
    return await _end(BLOCK_AFFILIATION, "BLOCKED", context, affiliation_id, reason)


async def _end(
    change: RowChange, status: str, context: Context, affiliation_id: str, reason: str | None
) -> Outcome[AffiliationRow]:
    """Reject or block an affiliation, with an optional reason."""

    async def end(connection: asyncpg.Connection, producer_id: int, pk: int) -> Outcome[AffiliationRow]:
        text = reason_text(reason, required=False)
        return await decide_affiliation(connection, producer_id, pk, status, reason=text)

    return await change.run(context, affiliation_id, end, reason=reason, commissionRate=None)


def _commission_rate(rate: Decimal | None) -> Decimal | None:
    """A percent between 0.01 and 90.00 with at most two decimals, or None to keep the applied rate."""
    if rate is None:
        return None
    exponent = rate.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2 or not MIN_COMMISSION_RATE <= rate <= MAX_COMMISSION_RATE:
        message = f"The commission rate is a percent from {MIN_COMMISSION_RATE} to {MAX_COMMISSION_RATE}, 2 decimals"
        raise Invalid(Refused(UserErrorCode.INVALID_AMOUNT, message, ("commissionRate",)))
    return rate
