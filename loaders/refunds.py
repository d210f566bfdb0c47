"""Refunds: pages, by id, and the refunds of each sale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.base import ProducerLoader, RowsByIdLoader, TenantDatabase, column_list, grouped_in_key_order
from loaders.paging import KeysetOrder, Page, PageRequest, fetch_page
from loaders.where import Where


@dataclass(slots=True)
class RefundRow:
    id: int
    sale_id: int
    amount: Decimal
    currency: str
    reason: str | None
    status: str
    requested_at: datetime
    resolved_at: datetime | None


REFUND_COLUMNS = column_list(RefundRow)
REFUNDS_ORDER = KeysetOrder("requested_at", descending=True)


@dataclass(frozen=True, slots=True)
class RefundFilterSpec:
    statuses: list[str] | None = None
    requested_from: datetime | None = None
    requested_to: datetime | None = None


def _refunds_where(producer_id: int, spec: RefundFilterSpec) -> Where:
    where = Where()
    where.add("producer_id = {0}", producer_id)
    where.add_if(spec.statuses, "status = any({0}::text[])")
    where.add_if(spec.requested_from, "requested_at >= {0}")
    where.add_if(spec.requested_to, "requested_at < {0}")
    return where


async def refunds_page(db: TenantDatabase, spec: RefundFilterSpec, page: PageRequest) -> Page[RefundRow]:
    select = f"select {REFUND_COLUMNS} from refunds"
    where = _refunds_where(db.producer_id, spec)
    return await fetch_page(db, select, where, REFUNDS_ORDER, page, lambda record: RefundRow(*record))


async def count_refunds(db: TenantDatabase, spec: RefundFilterSpec) -> int:
    where = _refunds_where(db.producer_id, spec)
    return int(await db.fetchval(f"select count(*) from refunds where {where.sql}", *where.parameters))


class RefundByIdLoader(RowsByIdLoader[RefundRow]):
    table, columns, row_type = "refunds", REFUND_COLUMNS, RefundRow


class RefundsBySaleLoader(ProducerLoader[int, list[RefundRow]]):
    """The refunds of each sale, oldest first."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[list[RefundRow] | None]:
        rows = await self.db.fetch(
            f"""
            select {REFUND_COLUMNS} from refunds
            where producer_id = $1 and sale_id = any($2::bigint[])
            order by requested_at, id
            """,
            self.db.producer_id,
            list(keys),
        )
        return list(grouped_in_key_order(keys, ((row["sale_id"], RefundRow(**row)) for row in rows)))
