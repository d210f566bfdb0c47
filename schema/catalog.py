"""What a producer sells and to whom: products, buyers, affiliates."""

from __future__ import annotations

import datetime

import strawberry

from loaders.catalog import AffiliateRow, BuyerRow, ProductRow
from schema.common import Money, Node
from schema.enums import OrderDirection, ProductKind, ProductOrderField
from schema.filters import UPDATED_AT, OrderName, updated_since
from schema.rows import FromRow, node_type


@strawberry.input(description="Every condition given must hold.")
class ProductFilter:
    updated_since: datetime.datetime | None = updated_since()


@strawberry.input(description="The order of the list: by one of its moments, either way.")
class ProductOrder(OrderName):
    field: ProductOrderField
    direction: OrderDirection


@node_type(ProductRow)
@strawberry.type(description="A product the producer sells. Scope: sales:read.")
class Product(Node, FromRow):
    name: str
    kind: ProductKind
    price: Money
    created_at: datetime.datetime
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)


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
