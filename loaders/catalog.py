"""Products, buyers and affiliates of a producer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.batching import RowsByIdLoader, column_list
from loaders.keyset import KeysetList, KeysetOrder


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


PRODUCTS = KeysetList(
    name="products",
    table="products",
    alias="p",
    row_type=ProductRow,
    orders={"CREATED_AT:DESC": KeysetOrder("created_at", descending=True)},
)
