"""Refunds: the list, by id, the refunds of each sale, and deciding them.

Approval moves the sale to REFUNDED or PARTIALLY_REFUNDED and debits the producer's ledger once, however many
times it is asked concurrently: the refund row is locked and must be REQUESTED. The REFUND entry takes the money
back where the sale's is: from pending money until the sale's release date, from available money after it. A
refund larger than the available balance is still approved (the buyer's right comes first) and may take
`available` below zero; withdrawals are refused until it recovers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import asyncpg

from loaders.batching import ProducerLoader, column_list, grouped_in_key_order, rows_by_id
from loaders.finance.ledger import NewEntry, lock_ledger, write_entries
from loaders.keyset import KeysetList, synced_orders
from loaders.where import any_of, updated_since, within
from loaders.writes import (
    Outcome,
    StatusChange,
    UserErrorCode,
    change_status,
    lock_for_change,
    refused,
)

CENT = Decimal("0.01")
REFUNDABLE_SALE_STATUSES = ("APPROVED", "COMPLETE", "PARTIALLY_REFUNDED")


@dataclass(slots=True)
class RefundRow:
    id: int
    sale_id: int
    amount: Decimal
    currency: str
    reason: str | None
    status: str
    requested_at: datetime
    resolved_at: datetime | None
    denial_reason: str | None
    updated_at: datetime
    updated_xid: int  # the transaction that last wrote it (the UPDATED_AT order)


REFUND_COLUMNS = column_list(RefundRow)


REFUNDS = KeysetList(
    "refunds",
    RefundRow,
    "refunds rf",
    synced_orders("REQUESTED_AT:DESC"),
    (any_of("status", "rf.status"), *within("requested", "rf.requested_at"), updated_since("rf.updated_at")),
)


RefundByIdLoader = rows_by_id("refunds", RefundRow)


class RefundsBySaleLoader(ProducerLoader[int, list[RefundRow]]):
    """The refunds of each sale, oldest first."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[RefundRow] | None]:
        rows = await self.db.fetch(
            f"""
            select {REFUND_COLUMNS} from refunds
            where producer_id = $1 and sale_id = any($2::bigint[])
            order by requested_at, id
            """,
            self.db.producer_id,
            list(keys),
        )
        return list(grouped_in_key_order(keys, ((row["sale_id"], RefundRow(*row)) for row in rows)))


REFUND_DECISION = StatusChange("refunds", "refund", ("REQUESTED",), REFUND_COLUMNS, RefundRow)


async def approve_refund(connection: asyncpg.Connection, producer_id: int, refund_id: int) -> Outcome[RefundRow]:
    """Approve a REQUESTED refund of a refundable sale, within what is left of the sale, debiting its share."""
    refund, refusal = await lock_for_change(connection, REFUND_DECISION, producer_id, refund_id)
    if refusal is not None or refund is None:
        return refusal or Outcome()
    moment = await lock_ledger(connection, producer_id, refund["currency"])
    sale = await connection.fetchrow(
        "select id, status, gross_amount, net_amount, transaction_code from sales"
        " where producer_id = $1 and id = $2 for update",
        producer_id,
        refund["sale_id"],
    )
    assert sale is not None
    if sale["status"] not in REFUNDABLE_SALE_STATUSES:
        return refused(UserErrorCode.INVALID_STATE, f"The sale is {sale['status']} and cannot be refunded", "id")
    refunded_before = await connection.fetchval(
        "select coalesce(sum(amount), 0) from refunds"
        " where producer_id = $1 and sale_id = $2 and status in ('APPROVED', 'COMPLETED')",
        producer_id,
        sale["id"],
    )
    refunded = refunded_before + refund["amount"]
    if refunded > sale["gross_amount"]:
        message = f"Refunds would total {refunded}, more than the sale's {sale['gross_amount']}"
        return refused(UserErrorCode.INVALID_AMOUNT, message, "id")
    new_status = "REFUNDED" if refunded == sale["gross_amount"] else "PARTIALLY_REFUNDED"
    await connection.execute(
        "update sales set status = $3 where producer_id = $1 and id = $2", producer_id, sale["id"], new_status
    )
    debit = (sale["net_amount"] * refund["amount"] / sale["gross_amount"]).quantize(CENT, rounding=ROUND_HALF_UP)
    description = f"Refund of sale {sale['transaction_code']}"
    released = await connection.fetchval(  # the sale's money, if still pending, is what the refund takes back
        "select max(available_at) from statement_entries where producer_id = $1 and sale_id = $2 and kind = 'SALE'",
        producer_id,
        sale["id"],
    )
    available_at = max(moment, released) if released is not None else moment
    entry = NewEntry("REFUND", refund["currency"], -debit, description, moment, available_at, sale["id"], refund_id)
    await write_entries(connection, producer_id, [entry])
    assignments = "status = 'APPROVED', resolved_at = now()"
    return await change_status(connection, REFUND_DECISION, producer_id, refund_id, assignments, checked=True)


async def deny_refund(
    connection: asyncpg.Connection, producer_id: int, refund_id: int, reason: str
) -> Outcome[RefundRow]:
    assignments = "status = 'DENIED', resolved_at = now(), denial_reason = $3"
    return await change_status(connection, REFUND_DECISION, producer_id, refund_id, assignments, reason)
