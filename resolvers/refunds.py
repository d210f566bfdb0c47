"""Refunds: the list, the refunds of a sale, what the producer may do with one now, and doing it."""

from __future__ import annotations

import asyncpg

from loaders import refunds as refund_store
from loaders.refunds import REFUNDS, RefundRow, RefundsBySaleLoader
from loaders.where import Filters
from loaders.writes import Outcome
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.mutations import audited_write, reason_text, target_pk
from resolvers.relations import Relation

REFUNDS_OF_SALE = Relation("Refund", RefundsBySaleLoader, "id", scope="refunds:read")


async def refunds(context: Context, filters: Filters, window: Window) -> ListPage[RefundRow]:
    return await list_page(context, REFUNDS, filters, window, scope="refunds:read")


def available_actions(context: Context, row: RefundRow) -> list[str]:
    """A refund may be approved or denied while it is REQUESTED, by a key allowed to write refunds."""
    if row.status == "REQUESTED" and context.principal.can("refunds:write"):
        return ["APPROVE", "DENY"]
    return []


async def approve_refund(context: Context, refund_id: str) -> Outcome[RefundRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[RefundRow]:
        return await refund_store.approve_refund(connection, context.producer_id, target_pk(refund_id, "Refund"))

    return await audited_write(context, "refunds:write", "approveRefund", {"id": refund_id}, "Refund", write)


async def deny_refund(context: Context, refund_id: str, reason: str) -> Outcome[RefundRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[RefundRow]:
        pk = target_pk(refund_id, "Refund")
        text = reason_text(reason, required=True)
        assert text is not None
        return await refund_store.deny_refund(connection, context.producer_id, pk, text)

    arguments = {"id": refund_id, "reason": reason}
    return await audited_write(context, "refunds:write", "denyRefund", arguments, "Refund", write)
