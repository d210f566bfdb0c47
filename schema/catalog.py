"""What a producer sells and to whom: products, buyers, affiliates."""

from __future__ import annotations

import datetime

import strawberry

from loaders.catalog import AffiliateRow, BuyerRow, ProductRow
from schema.common import Money, Node
from schema.enums import ProductKind
from schema.rows import FromRow, node_type


@node_type(ProductRow)
@strawberry.type(description="A product the producer sells. Scope: sales:read.")
class Product(Node, FromRow):
    name: str
    kind: ProductKind
    price: Money
    created_at: datetime.datetime


@node_type(BuyerRow)
@strawberry.type(description="Someone who bought, or tried to buy, from the producer. Scope: sales:read.")
class Buyer(Node, FromRow):
    name: str
    email: str
    phone: str | None
    country: str | None


@node_type(AffiliateRow)
@strawberry.type(description="Someone who promotes the producer's products for a commission. Scope: sales:read.")
class Affiliate(Node, FromRow):
    name: str
    email: str
