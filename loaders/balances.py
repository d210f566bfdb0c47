"""Balances, derived from the ledger (`statement_entries`); nothing stores a balance that could drift."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from loaders.base import TenantDatabase


@dataclass(frozen=True, slots=True)
class BalanceRow:
    currency: str
    available: Decimal
    pending: Decimal
    blocked: Decimal
    total: Decimal


async def balances(db: TenantDatabase) -> list[BalanceRow]:
    """One row per currency the producer has entries in; `now()` is the transaction's start."""
    rows = await db.fetch(
        """
        select currency,
               coalesce(sum(amount - blocked_amount) filter (where available_at <= now()), 0) as available,
               coalesce(sum(amount - blocked_amount) filter (where available_at > now()), 0) as pending,
               sum(blocked_amount) as blocked,
               sum(amount) as total
        from statement_entries
        where producer_id = $1
        group by currency
        order by currency
        """,
        db.producer_id,
    )
    return [BalanceRow(**row) for row in rows]
