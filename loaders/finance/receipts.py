"""Commission receipts between the producer and its affiliates: the list, and deciding received ones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from loaders.batching import column_list, rows_by_id
from loaders.keyset import KeysetList, synced_orders
from loaders.where import any_of, equals, updated_since
from loaders.writes import Outcome, StatusChange, change_status


@dataclass(slots=True)
class ReceiptRow:
    id: int
    number: str
    direction: str
    affiliate_id: int
    amount: Decimal
    currency: str
    status: str
    period_from: date
    period_to: date
    issued_at: datetime
    updated_at: datetime
    updated_xid: int  # the transaction that last wrote it (the UPDATED_AT order)


RECEIPT_COLUMNS = column_list(ReceiptRow)


RECEIPTS = KeysetList(
    "receipts",
    ReceiptRow,
    "receipts r",
    synced_orders("ISSUED_AT:DESC"),
    (equals("direction", "r.direction"), any_of("status", "r.status"), updated_since("r.updated_at")),
)


ReceiptByIdLoader = rows_by_id("receipts", ReceiptRow)


# only a RECEIVED receipt that is PENDING may be accepted or rejected
RECEIPT_DECISION = StatusChange(
    "receipts",
    "received receipt",
    ("PENDING",),
    RECEIPT_COLUMNS,
    ReceiptRow,
    eligible="direction = 'RECEIVED'",
    ineligible="Only a receipt you RECEIVED can be accepted or rejected; this one you SENT",
)


async def decide_receipt(
    connection: asyncpg.Connection, producer_id: int, receipt_id: int, status: str, reason: str | None
) -> Outcome[ReceiptRow]:
    """Accept (ACCEPTED) or reject (REJECTED, with a reason) a received receipt."""
    assignments = "status = $3, decided_at = now(), rejection_reason = $4"
    return await change_status(connection, RECEIPT_DECISION, producer_id, receipt_id, assignments, status, reason)
