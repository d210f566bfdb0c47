"""Shared pieces of every write: the outcome type, the per-producer ledger lock, the audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Generic, TypeVar

import asyncpg

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Refused:
    """An expected failure: a user error code and a message for people."""

    code: str
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
            return self.refused.code
        return "REPLAYED" if self.replayed else "OK"


async def lock_ledger(connection: asyncpg.Connection, producer_id: int, currency: str) -> datetime:
    """Serialise money movements of one producer and currency until the transaction ends; return the moment
    the lock was taken.

    Checks and new entries use that moment, not `now()`: `now()` is when the transaction began, and a
    transaction that began before another committed would otherwise see that one's entries as not yet
    available, and spend the same money twice.
    """
    await connection.execute(
        "select pg_advisory_xact_lock(hashtextextended('ledger:' || $1::bigint::text || ':' || $2::text, 0))",
        producer_id,
        currency,
    )
    moment = await connection.fetchval("select clock_timestamp()")
    assert isinstance(moment, datetime)
    return moment


async def lock_idempotency_key(connection: asyncpg.Connection, producer_id: int, kind: str, key: str) -> None:
    """Serialise requests that share an idempotency key, whatever else they say."""
    await connection.execute(
        "select pg_advisory_xact_lock(hashtextextended($2::text || ':' || $1::bigint::text || ':' || $3::text, 0))",
        producer_id,
        kind,
        key,
    )


async def holds_currency(connection: asyncpg.Connection, producer_id: int, currency: str) -> bool:
    return bool(
        await connection.fetchval(
            "select exists (select 1 from statement_entries where producer_id = $1 and currency = $2)",
            producer_id,
            currency,
        )
    )


async def available_balance(
    connection: asyncpg.Connection, producer_id: int, currency: str, moment: datetime
) -> Decimal:
    """What can be withdrawn at `moment` (from `lock_ledger`): released by then, not blocked."""
    value = await connection.fetchval(
        """
        select coalesce(sum(amount - blocked_amount), 0) from statement_entries
        where producer_id = $1 and currency = $2 and available_at <= $3
        """,
        producer_id,
        currency,
        moment,
    )
    return Decimal(value)


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
