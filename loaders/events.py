"""Events: the outbox the database's triggers write (migration 0010), one row per insert or change of state;
read in the order of the transactions that wrote them, once every older transaction has ended, so that a
reader never passes over an event that commits later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from loaders.batching import rows_by_id
from loaders.keyset import OLDEST_RUNNING, KeysetList
from loaders.where import any_of

# every event the triggers write, and the type of the object it is about
EVENT_TYPES: dict[str, str] = {
    "sale.created": "Sale",
    "sale.status_changed": "Sale",
    "lost_sale.created": "LostSale",
    "lost_sale.recovered": "LostSale",
    "refund.requested": "Refund",
    "refund.approved": "Refund",
    "refund.denied": "Refund",
    "refund.completed": "Refund",
    "refund.cancelled": "Refund",
    "subscription.created": "Subscription",
    "subscription.status_changed": "Subscription",
    "affiliation.requested": "Affiliation",
    "affiliation.status_changed": "Affiliation",
    "receipt.issued": "Receipt",
    "receipt.status_changed": "Receipt",
    "withdrawal.requested": "Withdrawal",
    "withdrawal.processing": "Withdrawal",
    "withdrawal.paid": "Withdrawal",
    "withdrawal.failed": "Withdrawal",
    "withdrawal.cancelled": "Withdrawal",
    "prepayment.requested": "Prepayment",
    "prepayment.approved": "Prepayment",
    "prepayment.rejected": "Prepayment",
    "statement_entry.created": "StatementEntry",
}


@dataclass(slots=True)
class EventRow:
    id: int
    xid: int  # the transaction that wrote it
    type: str
    object_type: str
    object_pk: int
    occurred_at: datetime
    payload: str  # JSON text


EVENTS = KeysetList(
    "events",
    EventRow,
    "events ev",
    ("XID:ASC", "XID:DESC"),  # by the writing transaction, then by id
    (any_of("types", "ev.type"),),
    always=(f"ev.xid < {OLDEST_RUNNING}",),
)

EventByIdLoader = rows_by_id("events", EventRow)


async def prune_events(pool: asyncpg.Pool, retention_days: int) -> int:
    """Delete the events older than the retention, of every producer (through `prune_events`, migration 0010);
    how many went."""
    pruned = await pool.fetchval("select prune_events(make_interval(days => $1))", retention_days)
    return int(pruned)
