"""Commission receipts: the list, and accepting or rejecting one received."""

from __future__ import annotations

import asyncpg

from loaders.finance.receipts import RECEIPTS, ReceiptRow, decide_receipt
from loaders.where import Filters
from loaders.writes import Outcome
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.mutations import audited_write, reason_text, target_pk


async def receipts(context: Context, filters: Filters, window: Window) -> ListPage[ReceiptRow]:
    return await list_page(context, RECEIPTS, filters, window, scope="finance:read")


async def accept_receipt(context: Context, receipt_id: str) -> Outcome[ReceiptRow]:
    return await _decide(context, "acceptReceipt", receipt_id, "ACCEPTED", None)


async def reject_receipt(context: Context, receipt_id: str, reason: str) -> Outcome[ReceiptRow]:
    return await _decide(context, "rejectReceipt", receipt_id, "REJECTED", reason)


async def _decide(
    context: Context, action: str, receipt_id: str, status: str, reason: str | None
) -> Outcome[ReceiptRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[ReceiptRow]:
        pk = target_pk(receipt_id, "Receipt")
        text = reason_text(reason, required=status == "REJECTED")
        return await decide_receipt(connection, context.producer_id, pk, status, text)

    arguments = {"id": receipt_id, "reason": reason}
    return await audited_write(context, "finance:write", action, arguments, "Receipt", write)
