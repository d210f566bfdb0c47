"""Commission receipts: the list, and accepting or rejecting one received."""

from __future__ import annotations

import asyncpg

from loaders.finance.receipts import RECEIPTS, ReceiptRow, decide_receipt
from loaders.where import Filters
from loaders.writes import Outcome
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.mutations import RowChange, required_reason


async def receipts(
    context: Context, filters: Filters, window: Window, order: str | None = None
) -> ListPage[ReceiptRow]:
    """Commission receipts sent and received, newest issued first. Scope: finance:read."""
    return await list_page(context, RECEIPTS, filters, window, scope="finance:read", order=order)


ACCEPT_RECEIPT = RowChange("finance:write", "acceptReceipt", "Receipt")
REJECT_RECEIPT = RowChange("finance:write", "rejectReceipt", "Receipt")


async def accept_receipt(context: Context, receipt_id: str) -> Outcome[ReceiptRow]:
    async def accept(connection: asyncpg.Connection, producer_id: int, pk: int) -> Outcome[ReceiptRow]:
        return await decide_receipt(connection, producer_id, pk, "ACCEPTED", None)

    return await ACCEPT_RECEIPT.run(context, receipt_id, accept, reason=None)


async def reject_receipt(context: Context, receipt_id: str, reason: str) -> Outcome[ReceiptRow]:
    async def reject(connection: asyncpg.Connection, producer_id: int, pk: int) -> Outcome[ReceiptRow]:
        return await decide_receipt(connection, producer_id, pk, "REJECTED", required_reason(reason))

    return await REJECT_RECEIPT.run(context, receipt_id, reject, reason=reason)
