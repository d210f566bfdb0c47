"""What every mutation shares: argument checks that become user errors, and the audited write.

A mutation resolver (named after its field, in its domain's module) checks its arguments inside the write,
raising `Invalid`, and runs the write through `audited_write`: one transaction, the scope checked first, an
audit row for every attempt, refused or not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import asyncpg
import orjson

from loaders.writes import Outcome, Refused, UserErrorCode, write_audit
from resolvers.context import Context
from resolvers.errors import BadUserInput
from resolvers.ids import pk_of
from resolvers.scopes import require_scope

R = TypeVar("R", bound="HasId")

MAX_AMOUNT = Decimal("999999999999.99")
MAX_IDEMPOTENCY_KEY = 255
MAX_REASON = 1000
CENT = Decimal("0.01")


class HasId(Protocol):
    @property
    def id(self) -> int: ...


class Invalid(Exception):
    """An argument that makes the mutation refuse before touching anything."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.message)
        self.refused = refused


def money_amount(amount: Decimal, field: tuple[str, ...] = ("input", "amount")) -> Decimal:
    """A positive amount with at most two decimals, within what the ledger stores."""
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or not isinstance(exponent, int) or exponent < -2:
        raise Invalid(Refused(UserErrorCode.INVALID_AMOUNT, "The amount may have at most 2 decimals", field))
    if amount <= 0:
        raise Invalid(Refused(UserErrorCode.INVALID_AMOUNT, "The amount must be positive", field))
    if amount > MAX_AMOUNT:
        raise Invalid(Refused(UserErrorCode.INVALID_AMOUNT, f"The amount may be at most {MAX_AMOUNT}", field))
    return amount.quantize(CENT)


def idempotency_key(key: str) -> str:
    if not key.strip():
        raise Invalid(
            Refused(UserErrorCode.INVALID_INPUT, "The idempotency key must not be empty", ("input", "idempotencyKey"))
        )
    if len(key) > MAX_IDEMPOTENCY_KEY:
        message = f"The idempotency key may have at most {MAX_IDEMPOTENCY_KEY} characters"
        raise Invalid(Refused(UserErrorCode.LIMIT_EXCEEDED, message, ("input", "idempotencyKey")))
    return key


def required_reason(reason: str) -> str:
    """A reason the mutation needs: not blank, within the length a reason may have."""
    text = reason_text(reason, required=True)
    assert text is not None
    return text


def reason_text(reason: str | None, *, required: bool, field: tuple[str, ...] = ("reason",)) -> str | None:
    text = (reason or "").strip()
    if not text:
        if required:
            raise Invalid(Refused(UserErrorCode.INVALID_INPUT, "A reason is required", field))
        return None
    if len(text) > MAX_REASON:
        raise Invalid(
            Refused(UserErrorCode.LIMIT_EXCEEDED, f"The reason may have at most {MAX_REASON} characters", field)
        )
    return text


def target_pk(global_id: str, type_name: str) -> int:
    """The key of an id naming `type_name`; any other id is a NOT_FOUND user error, like a missing one."""
    try:
        return pk_of(global_id, type_name)
    except BadUserInput:
        raise Invalid(Refused(UserErrorCode.NOT_FOUND, f"No such {type_name.lower()}", ("id",))) from None


def request_hash(*parts: object) -> bytes:
    """A digest of a request's meaningful arguments, to tell a replay from a different request."""
    return hashlib.sha256(orjson.dumps([str(part) for part in parts])).digest()


async def audited_write(
    context: Context,
    scope: str,
    action: str,
    arguments: dict[str, Any],
    target_type: str,
    write: Callable[[asyncpg.Connection], Awaitable[Outcome[R]]],
) -> Outcome[R]:
    """Check the scope, then run `write` in one transaction with the audit row of this attempt.

    `write` checks its arguments first (raising `Invalid`); a refused attempt is audited and writes nothing else.
    """
    require_scope(context.principal, scope)
    input_hash = hashlib.sha256(orjson.dumps(arguments, default=str, option=orjson.OPT_SORT_KEYS)).digest()
    async with context.db.write() as connection:
        try:
            outcome = await write(connection)
        except Invalid as invalid:
            outcome = Outcome(refused=invalid.refused)
        target_id = outcome.row.id if outcome.row is not None else None
        await write_audit(
            connection,
            context.producer_id,
            context.principal.key_id,
            action,
            (target_type, target_id),
            input_hash,
            outcome.result,
        )
    return outcome


RowWrite = Callable[[asyncpg.Connection, int, int], Awaitable[Outcome[R]]]  # (connection, producer id, key)


@dataclass(frozen=True, slots=True)
class RowChange:
    """A mutation of one row named by its global id: the scope it needs, its name (the field's) and the API type
    of the row, as the audit log records them."""

    scope: str
    action: str
    target_type: str

    async def run(self, context: Context, global_id: str, write: RowWrite[R], **arguments: Any) -> Outcome[R]:
        """`write` the row in an audited transaction; an id not of this type (or malformed) is NOT_FOUND."""

        async def on_row(connection: asyncpg.Connection) -> Outcome[R]:
            return await write(connection, context.producer_id, target_pk(global_id, self.target_type))

        audited = {"id": global_id, **arguments}
        return await audited_write(context, self.scope, self.action, audited, self.target_type, on_row)
