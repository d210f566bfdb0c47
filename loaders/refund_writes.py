"""Deciding refunds. Approval moves the sale to REFUNDED or PARTIALLY_REFUNDED and debits the producer's
ledger once, however many times it is asked concurrently: the refund row is locked and must be REQUESTED.

A refund larger than the available balance is still approved (the buyer's right comes first): the REFUND
entry is available at once and may take `available` below zero; withdrawals are refused until it recovers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import asyncpg

from loaders.refunds import REFUND_COLUMNS, RefundRow
from loaders.writes import Outcome, Refused, lock_ledger

CENT = Decimal("0.01")
REFUNDABLE_SALE_STATUSES = ("APPROVED", "COMPLETE", "PARTIALLY_REFUNDED")


async def _requested_refund(
    connection: asyncpg.Connection, producer_id: int, refund_id: int
) -> tuple[asyncpg.Record | None, Refused | None]:
    row = await connection.fetchrow(
        f"select {REFUND_COLUMNS} from refunds where producer_id = $1 and id = $2 for update", producer_id, refund_id
    )
    if row is None:
        return None, Refused("NOT_FOUND", "No such refund", ("id",))
    if row["status"] != "REQUESTED":
        return row, Refused(
            "INVALID_STATE", f"Only a REQUESTED refund can be decided; this one is {row['status']}", ("id",)
        )
    return row, None


async def approve_refund(connection: asyncpg.Connection, producer_id: int, refund_id: int) -> Outcome[RefundRow]:
    row, refused = await _requested_refund(connection, producer_id, refund_id)
    if refused is not None or row is None:
        return Outcome(refused=refused)
    moment = await lock_ledger(connection, producer_id, row["currency"])
    sale = await connection.fetchrow(
        "select id, status, gross_amount, net_amount, transaction_code from sales"
        " where producer_id = $1 and id = $2 for update",
        producer_id,
        row["sale_id"],
    )
    assert sale is not None
    if sale["status"] not in REFUNDABLE_SALE_STATUSES:
        return Outcome(
            refused=Refused("INVALID_STATE", f"The sale is {sale['status']} and cannot be refunded", ("id",))
        )
    refunded_before = await connection.fetchval(
        "select coalesce(sum(amount), 0) from refunds"
        " where producer_id = $1 and sale_id = $2 and status in ('APPROVED', 'COMPLETED')",
        producer_id,
        sale["id"],
    )
    refunded = refunded_before + row["amount"]
    if refunded > sale["gross_amount"]:
        message = f"Refunds would total {refunded}, more than the sale's {sale['gross_amount']}"
        return Outcome(refused=Refused("INVALID_AMOUNT", message, ("id",)))
    updated = await connection.fetchrow(
        f"update refunds set status = 'APPROVED', resolved_at = now() where producer_id = $1 and id = $2"
        f" returning {REFUND_COLUMNS}",
        producer_id,
        refund_id,
    )
    new_status = "REFUNDED" if refunded == sale["gross_amount"] else "PARTIALLY_REFUNDED"
    await connection.execute(
        "update sales set status = $3 where producer_id = $1 and id = $2", producer_id, sale["id"], new_status
    )
    debit = (sale["net_amount"] * row["amount"] / sale["gross_amount"]).quantize(CENT, rounding=ROUND_HALF_UP)
    await connection.execute(
        """
        insert into statement_entries (producer_id, kind, currency, amount, description, sale_id, refund_id,
                                       occurred_at, available_at)
        values ($1, 'REFUND', $2, -$3::numeric, $4, $5, $6, $7, $7)
        """,
        producer_id,
        row["currency"],
        debit,
        f"Refund of sale {sale['transaction_code']}",
        sale["id"],
        refund_id,
        moment,
    )
    assert updated is not None
    return Outcome(row=RefundRow(**updated))


async def deny_refund(
    connection: asyncpg.Connection, producer_id: int, refund_id: int, reason: str
) -> Outcome[RefundRow]:
    _, refused = await _requested_refund(connection, producer_id, refund_id)
    if refused is not None:
        return Outcome(refused=refused)
    updated = await connection.fetchrow(
        f"update refunds set status = 'DENIED', resolved_at = now(), denial_reason = $3"
        f" where producer_id = $1 and id = $2 returning {REFUND_COLUMNS}",
        producer_id,
        refund_id,
        reason,
    )
    assert updated is not None
    return Outcome(row=RefundRow(**updated))
