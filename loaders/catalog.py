"""Products, buyers and affiliates of a producer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.batching import rows_by_id
from loaders.keyset import KeysetList, synced_orders
from loaders.where import updated_since


@dataclass(slots=True)
class ProductRow:
    id: int
    name: str
    kind: str
    price: Decimal
    currency: str
    created_at: datetime
    updated_at: datetime
    updated_xid: int  # the transaction that last wrote it (the UPDATED_AT order)


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


ProductByIdLoader = rows_by_id("products", ProductRow)


BuyerByIdLoader = rows_by_id("buyers", BuyerRow)


AffiliateByIdLoader = rows_by_id("affiliates", AffiliateRow)


PRODUCTS = KeysetList(
    "products", ProductRow, "products p", synced_orders("CREATED_AT:DESC"), (updated_since("p.updated_at"),)
)
