"""Affiliations (an affiliate promoting a product) and how they performed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.base import ProducerLoader, RowsByIdLoader, TenantDatabase, column_list
from loaders.overview import MADE_STATUSES
from loaders.paging import KeysetOrder, Page, PageRequest, fetch_page
from loaders.where import Where


@dataclass(slots=True)
class AffiliationRow:
    id: int
    affiliate_id: int
    product_id: int
    status: str
    commission_rate: Decimal
    applied_at: datetime
    decided_at: datetime | None


AFFILIATION_COLUMNS = column_list(AffiliationRow)
AFFILIATIONS_ORDER = KeysetOrder("applied_at", descending=True)


@dataclass(frozen=True, slots=True)
class AffiliationFilterSpec:
    statuses: list[str] | None = None
    product_ids: list[int] | None = None
    affiliate_id: int | None = None


def _affiliations_where(producer_id: int, spec: AffiliationFilterSpec) -> Where:
    where = Where()
    where.add("producer_id = {0}", producer_id)
    where.add_if(spec.statuses, "status = any({0}::text[])")
    where.add_if(spec.product_ids, "product_id = any({0}::bigint[])")
    where.add_if(spec.affiliate_id, "affiliate_id = {0}")
    return where


async def affiliations_page(db: TenantDatabase, spec: AffiliationFilterSpec, page: PageRequest) -> Page[AffiliationRow]:
    select = f"select {AFFILIATION_COLUMNS} from affiliations"
    where = _affiliations_where(db.producer_id, spec)
    return await fetch_page(db, select, where, AFFILIATIONS_ORDER, page, lambda record: AffiliationRow(*record))


async def count_affiliations(db: TenantDatabase, spec: AffiliationFilterSpec) -> int:
    where = _affiliations_where(db.producer_id, spec)
    return int(await db.fetchval(f"select count(*) from affiliations where {where.sql}", *where.parameters))


class AffiliationByIdLoader(RowsByIdLoader[AffiliationRow]):
    table, columns, row_type = "affiliations", AFFILIATION_COLUMNS, AffiliationRow


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
