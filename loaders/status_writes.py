"""State changes without money: subscriptions, affiliations, receipts. Each locks its row, checks that the
change is allowed from the current state, and writes it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

import asyncpg

from loaders.affiliations import AFFILIATION_COLUMNS, AffiliationRow
from loaders.finance import RECEIPT_COLUMNS, ReceiptRow
from loaders.subscriptions import SUBSCRIPTION_COLUMNS, SubscriptionRow
from loaders.writes import Outcome, Refused

R = TypeVar("R")

CANCELLABLE_SUBSCRIPTIONS = ("STARTED", "ACTIVE", "DELAYED", "OVERDUE")
REACTIVATABLE_SUBSCRIPTIONS = ("CANCELLED_BY_SELLER", "INACTIVE")


async def _transition(
    connection: asyncpg.Connection,
    *,
    table: str,
    columns: str,
    noun: str,
    producer_id: int,
    row_id: int,
    allowed: Sequence[str],
    assignments: str,
    values: Sequence[Any] = (),
    extra_condition: str = "true",
) -> tuple[asyncpg.Record | None, Refused | None]:
    """Lock the row; refuse unless its status is in `allowed`; apply `assignments` ($3... are `values`).

    `table`, `columns`, `assignments` and `extra_condition` are constants of this module.
    """
    current = await connection.fetchrow(
        f"select status, ({extra_condition}) as eligible from {table} where producer_id = $1 and id = $2 for update",
        producer_id,
        row_id,
    )
    if current is None:
        return None, Refused("NOT_FOUND", f"No such {noun}", ("id",))
    if current["status"] not in allowed or not current["eligible"]:
        message = f"This {noun} is {current['status']}; allowed only from {', '.join(allowed)}"
        return None, Refused("INVALID_STATE", message, ("id",))
    updated = await connection.fetchrow(
        f"update {table} set {assignments} where producer_id = $1 and id = $2 returning {columns}",
        producer_id,
        row_id,
        *values,
    )
    return updated, None


def _outcome(row: asyncpg.Record | None, refused: Refused | None, row_type: type[R]) -> Outcome[R]:
    if refused is not None or row is None:
        return Outcome(refused=refused)
    return Outcome(row=row_type(**row))


async def cancel_subscription(
    connection: asyncpg.Connection, producer_id: int, subscription_id: int, reason: str | None
) -> Outcome[SubscriptionRow]:
    row, refused = await _transition(
        connection,
        table="subscriptions",
        columns=SUBSCRIPTION_COLUMNS,
        noun="subscription",
        producer_id=producer_id,
        row_id=subscription_id,
        allowed=CANCELLABLE_SUBSCRIPTIONS,
        assignments="status = 'CANCELLED_BY_SELLER', cancelled_at = now(), next_charge_at = null,"
        " cancellation_reason = $3",
        values=(reason,),
    )
    return _outcome(row, refused, SubscriptionRow)


async def reactivate_subscription(
    connection: asyncpg.Connection, producer_id: int, subscription_id: int
) -> Outcome[SubscriptionRow]:
    """A subscription the seller cancelled, or one gone inactive, charges again from a month on."""
    row, refused = await _transition(
        connection,
        table="subscriptions",
        columns=SUBSCRIPTION_COLUMNS,
        noun="subscription",
        producer_id=producer_id,
        row_id=subscription_id,
        allowed=REACTIVATABLE_SUBSCRIPTIONS,
        assignments="status = 'ACTIVE', cancelled_at = null, cancellation_reason = null,"
        " next_charge_at = now() + interval '1 month'",
    )
    return _outcome(row, refused, SubscriptionRow)


# the status an affiliation decision leads to -> the statuses it may come from
AFFILIATION_DECISIONS = {"ACTIVE": ("PENDING",), "REJECTED": ("PENDING",), "BLOCKED": ("PENDING", "ACTIVE")}


async def decide_affiliation(
    connection: asyncpg.Connection,
    producer_id: int,
    affiliation_id: int,
    status: str,
    *,
    reason: str | None = None,
    commission_rate: Decimal | None = None,
) -> Outcome[AffiliationRow]:
    """Approve (ACTIVE, optionally with a new rate), reject or block an affiliation."""
    row, refused = await _transition(
        connection,
        table="affiliations",
        columns=AFFILIATION_COLUMNS,
        noun="affiliation",
        producer_id=producer_id,
        row_id=affiliation_id,
        allowed=AFFILIATION_DECISIONS[status],
        assignments="status = $3, decided_at = now(), decision_reason = $4,"
        " commission_rate = coalesce($5, commission_rate)",
        values=(status, reason, commission_rate),
    )
    return _outcome(row, refused, AffiliationRow)


async def decide_receipt(
    connection: asyncpg.Connection, producer_id: int, receipt_id: int, *, accept: bool, reason: str | None
) -> Outcome[ReceiptRow]:
    """Only a RECEIVED receipt that is PENDING may be accepted or rejected."""
    row, refused = await _transition(
        connection,
        table="receipts",
        columns=RECEIPT_COLUMNS,
        noun="received receipt",
        producer_id=producer_id,
        row_id=receipt_id,
        allowed=("PENDING",),
        extra_condition="direction = 'RECEIVED'",
        assignments="status = $3, decided_at = now(), rejection_reason = $4",
        values=("ACCEPTED" if accept else "REJECTED", reason),
    )
    return _outcome(row, refused, ReceiptRow)
