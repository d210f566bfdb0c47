"""Writes that move money: withdrawals, their cancellation, prepayments. Each is one transaction that
locks the producer's ledger in that currency, checks, writes the movement and its ledger entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

import asyncpg

from loaders.finance import PREPAYMENT_COLUMNS, WITHDRAWAL_COLUMNS, PrepaymentRow, WithdrawalRow
from loaders.writes import Outcome, Refused, available_balance, holds_currency, lock_idempotency_key, lock_ledger

CENT = Decimal("0.01")
R = TypeVar("R")


async def request_withdrawal(
    connection: asyncpg.Connection,
    producer_id: int,
    amount: Decimal,
    currency: str,
    idempotency_key: str,
    request_hash: bytes,
) -> Outcome[WithdrawalRow]:
    await lock_idempotency_key(connection, producer_id, "withdrawal", idempotency_key)
    moment = await lock_ledger(connection, producer_id, currency)
    earlier = await connection.fetchrow(
        f"select {WITHDRAWAL_COLUMNS}, request_hash from withdrawals where producer_id = $1 and idempotency_key = $2",
        producer_id,
        idempotency_key,
    )
    if earlier is not None:
        return _replay(earlier, request_hash, WithdrawalRow)
    if not await holds_currency(connection, producer_id, currency):
        return Outcome(refused=Refused("CURRENCY_MISMATCH", f"You hold no {currency}", ("input", "currency")))
    available = await available_balance(connection, producer_id, currency, moment)
    if amount > available:
        message = f"Only {available} {currency} is available to withdraw"
        return Outcome(refused=Refused("INSUFFICIENT_FUNDS", message, ("input", "amount")))
    row = await connection.fetchrow(
        f"""
        insert into withdrawals (producer_id, amount, currency, status, idempotency_key, request_hash)
        values ($1, $2, $3, 'REQUESTED', $4, $5)
        returning {WITHDRAWAL_COLUMNS}
        """,
        producer_id,
        amount,
        currency,
        idempotency_key,
        request_hash,
    )
    assert row is not None
    await connection.execute(
        """
        insert into statement_entries (producer_id, kind, currency, amount, description, withdrawal_id,
                                       occurred_at, available_at)
        values ($1, 'WITHDRAWAL', $2, -$3::numeric, 'Withdrawal #' || $4::bigint, $4, $5, $5)
        """,
        producer_id,
        currency,
        amount,
        row["id"],
        moment,
    )
    return Outcome(row=WithdrawalRow(**row))


async def cancel_withdrawal(
    connection: asyncpg.Connection, producer_id: int, withdrawal_id: int
) -> Outcome[WithdrawalRow]:
    """Only a REQUESTED withdrawal may be cancelled; its money comes back through an ADJUSTMENT entry."""
    currency = await connection.fetchval(
        "select currency from withdrawals where producer_id = $1 and id = $2", producer_id, withdrawal_id
    )
    if currency is None:
        return Outcome(refused=Refused("NOT_FOUND", "No such withdrawal", ("id",)))
    moment = await lock_ledger(connection, producer_id, currency)
    row = await connection.fetchrow(
        f"select {WITHDRAWAL_COLUMNS} from withdrawals where producer_id = $1 and id = $2 for update",
        producer_id,
        withdrawal_id,
    )
    assert row is not None
    if row["status"] != "REQUESTED":
        message = f"Only a REQUESTED withdrawal can be cancelled; this one is {row['status']}"
        return Outcome(refused=Refused("INVALID_STATE", message, ("id",)))
    updated = await connection.fetchrow(
        f"update withdrawals set status = 'CANCELLED' where producer_id = $1 and id = $2"
        f" returning {WITHDRAWAL_COLUMNS}",
        producer_id,
        withdrawal_id,
    )
    await connection.execute(
        """
        insert into statement_entries (producer_id, kind, currency, amount, description, withdrawal_id,
                                       occurred_at, available_at)
        values ($1, 'ADJUSTMENT', $2, $3, 'Withdrawal #' || $4::bigint || ' cancelled', $4, $5, $5)
        """,
        producer_id,
        currency,
        row["amount"],
        withdrawal_id,
        moment,
    )
    assert updated is not None
    return Outcome(row=WithdrawalRow(**updated))


async def request_prepayment(
    connection: asyncpg.Connection,
    producer_id: int,
    amount: Decimal,
    currency: str,
    idempotency_key: str,
    request_hash: bytes,
    fee_percent: Decimal,
) -> Outcome[PrepaymentRow]:
    """Advance pending money to available now, for a fee.

    Ledger: +amount available now (PREPAYMENT); for each pending release date, earliest first, a negative
    PREPAYMENT leg at that date taking what is advanced from it; -fee now (PREPAYMENT_FEE). So available
    grows by amount - fee, pending shrinks by amount, and the total by the fee.
    """
    await lock_idempotency_key(connection, producer_id, "prepayment", idempotency_key)
    moment = await lock_ledger(connection, producer_id, currency)
    earlier = await connection.fetchrow(
        f"select {PREPAYMENT_COLUMNS}, request_hash from prepayments where producer_id = $1 and idempotency_key = $2",
        producer_id,
        idempotency_key,
    )
    if earlier is not None:
        return _replay(earlier, request_hash, PrepaymentRow)
    if not await holds_currency(connection, producer_id, currency):
        return Outcome(refused=Refused("CURRENCY_MISMATCH", f"You hold no {currency}", ("input", "currency")))
    releases = await connection.fetch(
        """
        select available_at, sum(amount - blocked_amount) as pending
        from statement_entries
        where producer_id = $1 and currency = $2 and available_at > $3
        group by available_at
        having sum(amount - blocked_amount) > 0
        order by available_at
        """,
        producer_id,
        currency,
        moment,
    )
    pending = sum((release["pending"] for release in releases), Decimal(0))
    if amount > pending:
        message = f"Only {pending} {currency} is pending, so at most that can be advanced"
        return Outcome(refused=Refused("INSUFFICIENT_FUNDS", message, ("input", "amount")))
    fee = (amount * fee_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    row = await connection.fetchrow(
        f"""
        insert into prepayments (producer_id, amount, fee, currency, status, idempotency_key, request_hash)
        values ($1, $2, $3, $4, 'APPROVED', $5, $6)
        returning {PREPAYMENT_COLUMNS}
        """,
        producer_id,
        amount,
        fee,
        currency,
        idempotency_key,
        request_hash,
    )
    assert row is not None
    prepayment_id = row["id"]
    legs: list[tuple[str, Decimal, datetime | None]] = [("PREPAYMENT", amount, None), ("PREPAYMENT_FEE", -fee, None)]
    remaining = amount
    for release in releases:
        if remaining <= 0:
            break
        taken = min(remaining, release["pending"])
        legs.append(("PREPAYMENT", -taken, release["available_at"]))
        remaining -= taken
    await connection.executemany(
        """
        insert into statement_entries (producer_id, kind, currency, amount, description, prepayment_id,
                                       occurred_at, available_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8)
        """,
        [
            (
                producer_id,
                kind,
                currency,
                value,
                _prepayment_description(kind, value, prepayment_id),
                prepayment_id,
                moment,
                at or moment,
            )
            for kind, value, at in legs
            if value != 0
        ],
    )
    return Outcome(row=PrepaymentRow(**row))


def _prepayment_description(kind: str, value: Decimal, prepayment_id: int) -> str:
    if kind == "PREPAYMENT_FEE":
        return f"Prepayment #{prepayment_id} fee"
    if value > 0:
        return f"Prepayment #{prepayment_id}"
    return f"Prepayment #{prepayment_id}: advanced from a later release"


def _replay(earlier: asyncpg.Record, request_hash: bytes, row_type: Callable[..., R]) -> Outcome[R]:
    """The same idempotency key again: the first result for the same input, an error for another input."""
    if bytes(earlier["request_hash"]) != request_hash:
        message = "This idempotency key was used for a different request"
        return Outcome(refused=Refused("IDEMPOTENCY_KEY_REUSED", message, ("input", "idempotencyKey")))
    fields = {name: value for name, value in earlier.items() if name != "request_hash"}
    return Outcome(row=row_type(**fields), replayed=True)
