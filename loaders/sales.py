"""Sales: pages with filters and orders, counts, and loaders by id and by transaction code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.base import ProducerLoader, RowsByIdLoader, TenantDatabase, column_list, in_key_order
from loaders.paging import KeysetOrder, Page, PageRequest, fetch_page, qualified
from loaders.where import Where, like_pattern


@dataclass(slots=True)
class SaleRow:
    id: int
    transaction_code: str
    status: str
    product_id: int
    offer_code: str | None
    buyer_id: int
    affiliate_id: int | None
    subscription_id: int | None
    payment_method: str
    installments: int
    device: str
    source: str | None
    currency: str
    gross_amount: Decimal
    fees: Decimal
    taxes: Decimal
    affiliate_commission: Decimal
    net_amount: Decimal
    created_at: datetime
    approved_at: datetime | None


SALE_COLUMNS = column_list(SaleRow)
SALE_ORDERS = {
    ("CREATED_AT", "DESC"): KeysetOrder("created_at", descending=True),
    ("CREATED_AT", "ASC"): KeysetOrder("created_at", descending=False),
    ("GROSS_AMOUNT", "DESC"): KeysetOrder("gross_amount", descending=True),
    ("GROSS_AMOUNT", "ASC"): KeysetOrder("gross_amount", descending=False),
}


@dataclass(frozen=True, slots=True)
class SaleFilterSpec:
    """What a sales list is narrowed to; None means no condition."""

    statuses: list[str] | None = None
    product_ids: list[int] | None = None
    payment_methods: list[str] | None = None
    currency: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    buyer_email: str | None = None
    affiliate_id: int | None = None
    subscription_id: int | None = None
    recovered: bool | None = None
    search: str | None = None


def _sales_where(producer_id: int, spec: SaleFilterSpec) -> Where:
    where = Where()
    where.add("s.producer_id = {0}", producer_id)
    where.add_if(spec.statuses, "s.status = any({0}::text[])")
    where.add_if(spec.product_ids, "s.product_id = any({0}::bigint[])")
    where.add_if(spec.payment_methods, "s.payment_method = any({0}::text[])")
    where.add_if(spec.currency, "s.currency = {0}")
    where.add_if(spec.created_from, "s.created_at >= {0}")
    where.add_if(spec.created_to, "s.created_at < {0}")
    where.add_if(spec.affiliate_id, "s.affiliate_id = {0}")
    where.add_if(spec.subscription_id, "s.subscription_id = {0}")
    if spec.buyer_email is not None:
        where.add(
            "s.buyer_id in (select b.id from buyers b"
            " where b.producer_id = s.producer_id and lower(b.email) = lower({0}))",
            spec.buyer_email,
        )
    if spec.recovered is not None:
        recovered = "exists" if spec.recovered else "not exists"
        where.add(
            recovered
            + " (select 1 from lost_sales l where l.producer_id = s.producer_id and l.recovered_sale_id = s.id)"
        )
    if spec.search is not None:
        where.add(
            "(s.transaction_code = {0} or s.buyer_id in (select b.id from buyers b where b.producer_id = s.producer_id"
            " and (b.name ilike {1} or b.email ilike {1})))",
            spec.search,
            like_pattern(spec.search),
        )
    return where


async def sales_page(db: TenantDatabase, spec: SaleFilterSpec, order: KeysetOrder, page: PageRequest) -> Page[SaleRow]:
    select = f"select {qualified(SALE_COLUMNS, 's')} from sales s"
    where = _sales_where(db.producer_id, spec)
    return await fetch_page(db, select, where, order, page, lambda record: SaleRow(*record), alias="s")


async def count_sales(db: TenantDatabase, spec: SaleFilterSpec) -> int:
    where = _sales_where(db.producer_id, spec)
    return int(await db.fetchval(f"select count(*) from sales s where {where.sql}", *where.parameters))


class SaleByIdLoader(RowsByIdLoader[SaleRow]):
    table, columns, row_type = "sales", SALE_COLUMNS, SaleRow


class SaleByTransactionCodeLoader(ProducerLoader[str, SaleRow]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[SaleRow | None]:
        rows = await self.db.fetch(
            f"select {SALE_COLUMNS} from sales where producer_id = $1 and transaction_code = any($2::text[])",
            self.db.producer_id,
            list(keys),
        )
        return in_key_order(keys, {row["transaction_code"]: SaleRow(**row) for row in rows})
