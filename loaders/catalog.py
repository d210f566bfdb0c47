"""Products, buyers and affiliates of a producer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.base import RowsByIdLoader, TenantDatabase, column_list
from loaders.paging import KeysetOrder, Page, PageRequest, fetch_page
from loaders.where import Where


@dataclass(slots=True)
class ProductRow:
    id: int
    name: str
    kind: str
    price: Decimal
    currency: str
    created_at: datetime


@dataclass(slots=True)
class BuyerRow:
    id: int
    name: str
    email: str
    phone: str | None
    country: str | None


@dataclass(slots=True)
class AffiliateRow:
    id: int
    name: str
    email: str


class ProductByIdLoader(RowsByIdLoader[ProductRow]):
    table, columns, row_type = "products", column_list(ProductRow), ProductRow


class BuyerByIdLoader(RowsByIdLoader[BuyerRow]):
    table, columns, row_type = "buyers", column_list(BuyerRow), BuyerRow


class AffiliateByIdLoader(RowsByIdLoader[AffiliateRow]):
    table, columns, row_type = "affiliates", column_list(AffiliateRow), AffiliateRow


PRODUCTS_ORDER = KeysetOrder("created_at", descending=True)


async def products_page(db: TenantDatabase, page: PageRequest) -> Page[ProductRow]:
    where = Where()
    where.add("producer_id = {0}", db.producer_id)
    select = f"select {column_list(ProductRow)} from products"
    return await fetch_page(db, select, where, PRODUCTS_ORDER, page, lambda record: ProductRow(*record))


async def count_products(db: TenantDatabase) -> int:
    return int(await db.fetchval("select count(*) from products where producer_id = $1", db.producer_id))
