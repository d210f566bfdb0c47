"""Refunds: the list, the refunds of a sale, what the producer may do with one now, and doing it."""

from __future__ import annotations

import asyncpg

from loaders import refunds as refund_store
from loaders.refunds import REFUNDS, RefundRow, RefundsBySaleLoader
from loaders.where import Filters
from loaders.writes import Outcome
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.mutations import RowChange, required_reason
from resolvers.relations import Relation

REFUNDS_OF_SALE = Relation("Refund", RefundsBySaleLoader, "id", scope="refunds:read")


async def refunds(context: Context, filters: Filters, window: Window, order: str | None = None) -> ListPage[RefundRow]:
    """Refunds, newest request first. Scope: refunds:read."""
    return await list_page(context, REFUNDS, filters, window, scope="refunds:read", order=order)


def available_actions(context: Context, row: RefundRow) -> list[str]:
    """A refund may be approved or denied while it is REQUESTED, by a key allowed to write refunds."""
    if row.status == "REQUESTED" and context.principal.can("refunds:write"):
        return ["APPROVE", "DENY"]
    return []


APPROVE_REFUND = RowChange("refunds:write", "approveRefund", "Refund")
DENY_REFUND = RowChange("refunds:write", "denyRefund", "Refund")


async def approve_refund(context: Context, refund_id: str) -> Outcome[RefundRow]:
    return await APPROVE_REFUND.run(context, refund_id, refund_store.approve_refund)


async def deny_refund(context: Context, refund_id: str, reason: str) -> Outcome[RefundRow]:
    async def deny(connection: asyncpg.Connection, producer_id: int, pk: int) -> Outcome[RefundRow]:
        return await refund_store.deny_refund(connection, producer_id, pk, required_reason(reason))

    return await DENY_REFUND.run(context, refund_id, deny, reason=reason)
