"""Affiliations (an affiliate promoting a product) and how they performed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from loaders.batching import ProducerLoader, column_list, rows_by_id
from loaders.keyset import KeysetList, synced_orders
from loaders.sales import MADE_STATUSES
from loaders.where import any_of, equals, updated_since
from loaders.writes import Outcome, StatusChange, change_status


@dataclass(slots=True)
class AffiliationRow:
    id: int
    affiliate_id: int
    product_id: int
    status: str
    commission_rate: Decimal
    applied_at: datetime
    decided_at: datetime | None
    updated_at: datetime
    updated_xid: int  # the transaction that last wrote it (the UPDATED_AT order)


AFFILIATION_COLUMNS = column_list(AffiliationRow)


AFFILIATIONS = KeysetList(
    "affiliations",
    AffiliationRow,
    "affiliations af",
    synced_orders("APPLIED_AT:DESC"),
    (
        any_of("status", "af.status"),
        any_of("product_ids", "af.product_id", "bigint"),
        equals("affiliate_id", "af.affiliate_id"),
        updated_since("af.updated_at"),
    ),
)


AffiliationByIdLoader = rows_by_id("affiliations", AffiliationRow)


@dataclass(slots=True)
class PerformanceRow:
    """Made sales of one affiliation (its affiliate, its product) in one currency."""

    currency: str
    sales: int
    revenue: Decimal
    commission: Decimal


class AffiliationPerformanceLoader(ProducerLoader[tuple[int, datetime, datetime], list[PerformanceRow]]):
    """Per (affiliation id, start, end): one row per currency; one statement per distinct period."""

    async def batch_load_fn(self, keys: Sequence[tuple[int, datetime, datetime]]) -> list[list[PerformanceRow] | None]:
        by_period: dict[tuple[datetime, datetime], list[int]] = {}
        for affiliation_id, start, end in keys:
            by_period.setdefault((start, end), []).append(affiliation_id)
        results: dict[tuple[int, datetime, datetime], list[PerformanceRow]] = {}
        for (start, end), affiliation_ids in by_period.items():
            records = await self.db.fetch(
                """
                select a.id, s.currency, count(*) as sales, sum(s.gross_amount) as revenue,
                       sum(s.affiliate_commission) as commission
                from affiliations a
                join sales s on s.producer_id = a.producer_id and s.affiliate_id = a.affiliate_id
                            and s.product_id = a.product_id
                where a.producer_id = $1 and a.id = any($2::bigint[])
                  and s.status = any($3::text[]) and s.created_at >= $4 and s.created_at < $5
                group by a.id, s.currency
                order by a.id, s.currency
                """,
                self.db.producer_id,
                affiliation_ids,
                MADE_STATUSES,
                start,
                end,
            )
            for record in records:
                row = PerformanceRow(record["currency"], record["sales"], record["revenue"], record["commission"])
                results.setdefault((record["id"], start, end), []).append(row)
        return [results.get(key, []) for key in keys]


# the status an affiliation decision leads to, and the statuses it may come from
AFFILIATION_DECISIONS = {
    status: StatusChange("affiliations", "affiliation", allowed, AFFILIATION_COLUMNS, AffiliationRow)
    for status, allowed in {"ACTIVE": ("PENDING",), "REJECTED": ("PENDING",), "BLOCKED": ("PENDING", "ACTIVE")}.items()
}


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
    assignments = (
        "status = $3, decided_at = coalesce(decided_at, now()), decision_reason = $4,"
        " commission_rate = coalesce($5, commission_rate)"
    )
    change = AFFILIATION_DECISIONS[status]
    return await change_status(
        connection, change, producer_id, affiliation_id, assignments, status, reason, commission_rate
    )
