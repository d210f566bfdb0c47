"""What every write shares: its outcome and the codes of refusals, idempotency, state changes, the audit row.

A write runs in one transaction on the request's connection (`TenantDatabase.write`). An expected failure is
not an exception but an `Outcome` with a `Refused` in it, whose code is a `UserErrorCode`: the API shows it
as data (`userErrors`), and the transaction writes nothing but the audit row.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg

R = TypeVar("R")


class UserErrorCode(enum.Enum):
    """Why a mutation changed nothing; the API's `UserErrorCode`."""

    NOT_FOUND = "NOT_FOUND"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    INVALID_STATE = "INVALID_STATE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    INVALID_INPUT = "INVALID_INPUT"


@dataclass(frozen=True, slots=True)
class Refused:
    """An expected failure: a user error code and a message for people."""

    code: UserErrorCode
    message: str
    field: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome(Generic[R]):
    """What a write did: the changed row, or why it changed nothing."""

    row: R | None = None
    refused: Refused | None = None
    replayed: bool = False  # an idempotent repeat: the first result, nothing written now

    @property
    def result(self) -> str:
        """How the attempt ended, as the audit log records it."""
        if self.refused is not None:
            return self.refused.code.value
        return "REPLAYED" if self.replayed else "OK"


def refused(code: UserErrorCode, message: str, *field: str) -> Outcome[Any]:
    return Outcome(refused=Refused(code, message, field))


IDEMPOTENT_TABLES = ("withdrawals", "prepayments")  # the requests made under a producer's idempotency keys


async def earlier_request(
    connection: asyncpg.Connection,
    producer_id: int,
    table: str,
    columns: str,
    row_type: Callable[..., R],
    idempotency_key: str,
    request_hash: bytes,
) -> Outcome[R] | None:
    """Serialise the requests that share an idempotency key (one key space per producer, whatever the request);
    when the key was used before, the first result (the same request again) or IDEMPOTENCY_KEY_REUSED (another
    request, or another kind of request). `table` is one of `IDEMPOTENT_TABLES`, `columns` its row's."""
    await connection.execute(
        "select pg_advisory_xact_lock(hashtextextended('idempotency:' || $1::bigint::text || ':' || $2::text, 0))",
        producer_id,
        idempotency_key,
    )
    earlier = await connection.fetchrow(
        f"select {columns}, request_hash from {table} where producer_id = $1 and idempotency_key = $2",
        producer_id,
        idempotency_key,
    )
    if earlier is None:
        for other in IDEMPOTENT_TABLES:
            if other != table and await connection.fetchval(
                f"select exists (select 1 from {other} where producer_id = $1 and idempotency_key = $2)",
                producer_id,
                idempotency_key,
            ):
                message = f"This idempotency key was used for another kind of request ({other})"
                return refused(UserErrorCode.IDEMPOTENCY_KEY_REUSED, message, "input", "idempotencyKey")
        return None
    if bytes(earlier["request_hash"]) != request_hash:
        message = "This idempotency key was used for a different request"
        return refused(UserErrorCode.IDEMPOTENCY_KEY_REUSED, message, "input", "idempotencyKey")
    return Outcome(row=row_type(*list(earlier.values())[:-1]), replayed=True)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A change of a row's status: the table (a constant of our code), what it is called, the statuses it
    may come from, and the row's columns as the write returns them."""

    table: str
    noun: str
    allowed: Sequence[str]
    columns: str
    row_type: Callable[..., Any]
    eligible: str = "true"  # a further condition on the row, SQL of our code
    ineligible: str = ""  # why a row of an allowed status that fails `eligible` may not change


async def lock_for_change(
    connection: asyncpg.Connection, change: StatusChange, producer_id: int, row_id: int
) -> tuple[asyncpg.Record | None, Outcome[Any] | None]:
    """Lock the row (its columns and status), or say why it may not change: it is not there, or its status
    is not one the change may come from."""
    current = await connection.fetchrow(
        f"select {change.columns}, ({change.eligible}) as eligible from {change.table}"
        " where producer_id = $1 and id = $2 for update",
        producer_id,
        row_id,
    )
    if current is None:
        return None, refused(UserErrorCode.NOT_FOUND, f"No such {change.noun}", "id")
    if not current["eligible"]:
        return current, refused(UserErrorCode.INVALID_STATE, change.ineligible, "id")
    if current["status"] not in change.allowed:
        message = f"This {change.noun} is {current['status']}; allowed only from {', '.join(change.allowed)}"
        return current, refused(UserErrorCode.INVALID_STATE, message, "id")
    return current, None


async def change_status(
    connection: asyncpg.Connection,
    change: StatusChange,
    producer_id: int,
    row_id: int,
    assignments: str,
    *values: Any,
    checked: bool = False,
) -> Outcome[Any]:
    """Apply `assignments` ($3... are `values`) to the row: locked first, and refused unless its status is one
    the change may come from; `checked` when `lock_for_change` did that already."""
    if not checked:
        _, refusal = await lock_for_change(connection, change, producer_id, row_id)
        if refusal is not None:
            return refusal
    updated = await connection.fetchrow(
        f"update {change.table} set {assignments} where producer_id = $1 and id = $2 returning {change.columns}",
        producer_id,
        row_id,
        *values,
    )
    assert updated is not None
    return Outcome(row=change.row_type(*updated))


async def write_audit(
    connection: asyncpg.Connection,
    producer_id: int,
    key_id: int,
    action: str,
    target: tuple[str, int | None],
    input_hash: bytes,
    outcome: str,
) -> None:
    await connection.execute(
        """
        insert into audit_log (producer_id, key_id, action, target_type, target_id, input_hash, outcome)
        values ($1, $2, $3, $4, $5, $6, $7)
        """,
        producer_id,
        key_id,
        action,
        target[0],
        target[1],
        input_hash,
        outcome,
    )
