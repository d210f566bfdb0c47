"""What a producer sells and to whom: products, buyers, affiliates."""

from __future__ import annotations

import datetime
import enum

import strawberry

from loaders.catalog import AffiliateRow, BuyerRow, ProductRow
from resolvers import catalog
from resolvers.ids import to_global_id
from schema.common import Money, Node, node_type
from schema.connections import Connection, connection_field


@strawberry.enum
class ProductKind(enum.Enum):
    ONLINE_COURSE = "ONLINE_COURSE"
    EBOOK = "EBOOK"
    COMMUNITY = "COMMUNITY"
    EVENT = "EVENT"
    SOFTWARE = "SOFTWARE"
    SUBSCRIPTION = "SUBSCRIPTION"


@node_type
@strawberry.type(description="A product the producer sells. Scope: sales:read.")
class Product(Node):
    name: str
    kind: ProductKind
    price: Money
    created_at: datetime.datetime

    @classmethod
    def from_row(cls, row: ProductRow) -> Product:
        return cls(
            id=strawberry.ID(to_global_id("Product", row.id)),
            name=row.name,
            kind=ProductKind(row.kind),
            price=Money.of(row.price, row.currency),
            created_at=row.created_at,
        )


@node_type
@strawberry.type(description="Someone who bought, or tried to buy, from the producer. Scope: sales:read.")
class Buyer(Node):
    name: str
    email: str
    phone: str | None
    country: str | None

    @classmethod
    def from_row(cls, row: BuyerRow) -> Buyer:
        return cls(
            id=strawberry.ID(to_global_id("Buyer", row.id)),
            name=row.name,
            email=row.email,
            phone=row.phone,
            country=row.country,
        )


@node_type
@strawberry.type(description="Someone who promotes the producer's products for a commission. Scope: sales:read.")
class Affiliate(Node):
    name: str
    email: str

    @classmethod
    def from_row(cls, row: AffiliateRow) -> Affiliate:
        return cls(id=strawberry.ID(to_global_id("Affiliate", row.id)), name=row.name, email=row.email)


@strawberry.type
class CatalogQuery:
    products: Connection[Product] | None = connection_field(
        catalog.products, Product.from_row, description="The producer's products, newest first. Scope: sales:read."
    )
