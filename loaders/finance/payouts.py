"""Money leaving the balance or arriving early: withdrawals and prepayments, their lists and their writes.

Each write is one transaction that locks the producer's ledger in that currency, checks, and writes the
movement with its ledger entries.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg

from loaders.batching import column_list, rows_by_id
from loaders.finance.ledger import NewEntry, available_balance, holds_currency, lock_ledger, write_entries
from loaders.keyset import KeysetList, synced_orders
from loaders.where import any_of, equals, updated_since
from loaders.writes import (
    Outcome,
    StatusChange,
    UserErrorCode,
    change_status,
    earlier_request,
    lock_for_change,
    refused,
)

CENT = Decimal("0.01")


@dataclass(slots=True)
class WithdrawalRow:
    id: int
    amount: Decimal
    currency: str
    status: str
    requested_at: datetime
    paid_at: datetime | None
    failure_reason: str | None
    updated_at: datetime
    updated_xid: int  # the transaction that last wrote it (the UPDATED_AT order)


WITHDRAWAL_COLUMNS = column_list(WithdrawalRow)


WITHDRAWALS = KeysetList(
    "withdrawals",
    WithdrawalRow,
    "withdrawals w",
    synced_orders("REQUESTED_AT:DESC"),
    (any_of("status", "w.status"), equals("currency", "w.currency"), updated_since("w.updated_at")),
)


WithdrawalByIdLoader = rows_by_id("withdrawals", WithdrawalRow)


@dataclass(slots=True)
class PrepaymentRow:
    id: int
    amount: Decimal
    fee: Decimal
    currency: str
    status: str
    created_at: datetime
    updated_at: datetime
    updated_xid: int  # the transaction that last wrote it (the UPDATED_AT order)


PREPAYMENT_COLUMNS = column_list(PrepaymentRow)

PREPAYMENTS = KeysetList(
    "prepayments",
    PrepaymentRow,
    "prepayments pp",
    synced_orders("CREATED_AT:DESC"),
    (updated_since("pp.updated_at"),),
)


PrepaymentByIdLoader = rows_by_id("prepayments", PrepaymentRow)


@dataclass(frozen=True, slots=True)
class MoneyRequest:
    """How much of which currency a request moves, under which idempotency key (and a hash of the request, to
    tell its repetition from another request reusing the key)."""

    amount: Decimal
    currency: str
    idempotency_key: str
    request_hash: bytes


async def request_withdrawal(
    connection: asyncpg.Connection, producer_id: int, request: MoneyRequest
) -> Outcome[WithdrawalRow]:
    """Pay out available money: a REQUESTED withdrawal and its WITHDRAWAL entry."""
    amount, currency = request.amount, request.currency
    moment, answer = await _money_request(connection, producer_id, WITHDRAWALS_BY_KEY, request)
    if answer is not None:
        return answer
    available = await available_balance(connection, producer_id, currency, moment)
    if amount > available:
        message = f"Only {available} {currency} is available to withdraw"
        return refused(UserErrorCode.INSUFFICIENT_FUNDS, message, "input", "amount")
    row = await connection.fetchrow(
        f"""
        insert into withdrawals (producer_id, amount, currency, status, idempotency_key, request_hash)
        values ($1, $2, $3, 'REQUESTED', $4, $5)
        returning {WITHDRAWAL_COLUMNS}
        """,
        producer_id,
        amount,
        currency,
        request.idempotency_key,
        request.request_hash,
    )
    assert row is not None
    await _withdrawal_entry(connection, producer_id, row, "WITHDRAWAL", moment)
    return Outcome(row=WithdrawalRow(*row))


async def cancel_withdrawal(
    connection: asyncpg.Connection, producer_id: int, withdrawal_id: int
) -> Outcome[WithdrawalRow]:
    """Only a REQUESTED withdrawal may be cancelled; its money comes back through an ADJUSTMENT entry."""
    withdrawal, refusal = await lock_for_change(connection, WITHDRAWAL_CANCELLATION, producer_id, withdrawal_id)
    if refusal is not None or withdrawal is None:
        return refusal or Outcome()
    moment = await lock_ledger(connection, producer_id, withdrawal["currency"])
    outcome = await change_status(
        connection, WITHDRAWAL_CANCELLATION, producer_id, withdrawal_id, "status = 'CANCELLED'", checked=True
    )
    await _withdrawal_entry(connection, producer_id, withdrawal, "ADJUSTMENT", moment)
    return outcome


@dataclass(frozen=True, slots=True)
class RowsByKey:
    """Where the rows of requests made under idempotency keys are, as `earlier_request` reads them."""

    table: str
    columns: str
    row_type: type[Any]


WITHDRAWALS_BY_KEY = RowsByKey("withdrawals", WITHDRAWAL_COLUMNS, WithdrawalRow)
PREPAYMENTS_BY_KEY = RowsByKey("prepayments", PREPAYMENT_COLUMNS, PrepaymentRow)
WITHDRAWAL_CANCELLATION = StatusChange("withdrawals", "withdrawal", ("REQUESTED",), WITHDRAWAL_COLUMNS, WithdrawalRow)


async def _money_request(
    connection: asyncpg.Connection, producer_id: int, rows: RowsByKey, request: MoneyRequest
) -> tuple[datetime, Outcome[Any] | None]:
    """What every money request does first: the first answer again for a repeated idempotency key; then the
    ledger of the currency locked (the moment it was taken, which checks and entries use); no currency the
    producer holds nothing of. The answer is None when the request may go on."""
    key = (request.idempotency_key, request.request_hash)
    earlier = await earlier_request(connection, producer_id, rows.table, rows.columns, rows.row_type, *key)
    currency = request.currency
    moment = await lock_ledger(connection, producer_id, currency)
    if earlier is not None:
        return moment, earlier
    if not await holds_currency(connection, producer_id, currency):
        return moment, refused(UserErrorCode.CURRENCY_MISMATCH, f"You hold no {currency}", "input", "currency")
    return moment, None


async def _withdrawal_entry(
    connection: asyncpg.Connection, producer_id: int, withdrawal: asyncpg.Record, kind: str, moment: datetime
) -> None:
    """The ledger entry of a withdrawal (WITHDRAWAL, money out) or of its cancellation (ADJUSTMENT, money back)."""
    paid_out = kind == "WITHDRAWAL"
    amount, description = withdrawal["amount"], f"Withdrawal #{withdrawal['id']}" + ("" if paid_out else " cancelled")
    entry = NewEntry(kind, withdrawal["currency"], -amount if paid_out else amount, description, moment, moment)
    await write_entries(connection, producer_id, [dataclasses.replace(entry, withdrawal_id=withdrawal["id"])])


async def request_prepayment(
    connection: asyncpg.Connection, producer_id: int, request: MoneyRequest, fee_percent: Decimal
) -> Outcome[PrepaymentRow]:
    """Advance pending money to available now, for a fee.

    Ledger: +amount available now (PREPAYMENT); for each pending release date, earliest first, a negative
    PREPAYMENT leg at that date taking what is advanced from it; -fee now (PREPAYMENT_FEE). So available
    grows by amount - fee, pending shrinks by amount, and the total by the fee.
    """
    amount, currency = request.amount, request.currency
    moment, answer = await _money_request(connection, producer_id, PREPAYMENTS_BY_KEY, request)
    if answer is not None:
        return answer
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
        return refused(UserErrorCode.INSUFFICIENT_FUNDS, message, "input", "amount")
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
        request.idempotency_key,
        request.request_hash,
    )
    assert row is not None
    await _prepayment_entries(connection, producer_id, PrepaymentRow(*row), releases, moment)
    return Outcome(row=PrepaymentRow(*row))


async def _prepayment_entries(
    connection: asyncpg.Connection,
    producer_id: int,
    prepayment: PrepaymentRow,
    releases: list[asyncpg.Record],
    moment: datetime,
) -> None:
    """The advance and its fee now, and the legs taking the advance from the pending releases, earliest first."""
    legs: list[tuple[str, Decimal, datetime | None]] = [
        ("PREPAYMENT", prepayment.amount, None),
        ("PREPAYMENT_FEE", -prepayment.fee, None),
    ]
    remaining = prepayment.amount
    for release in releases:
        if remaining <= 0:
            break
        taken = min(remaining, release["pending"])
        legs.append(("PREPAYMENT", -taken, release["available_at"]))
        remaining -= taken
    entries = [
        NewEntry(
            kind,
            prepayment.currency,
            value,
            _prepayment_description(kind, value, prepayment.id),
            moment,
            at or moment,
            prepayment_id=prepayment.id,
        )
        for kind, value, at in legs
        if value != 0
    ]
    await write_entries(connection, producer_id, entries)


def _prepayment_description(kind: str, value: Decimal, prepayment_id: int) -> str:
    if kind == "PREPAYMENT_FEE":
        return f"Prepayment #{prepayment_id} fee"
    if value > 0:
        return f"Prepayment #{prepayment_id}"
    return f"Prepayment #{prepayment_id}: advanced from a later release"
