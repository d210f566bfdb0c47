"""What a producer sells and to whom: products, buyers, affiliates."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import strawberry

from gateway.context import Context
from loaders.catalog import AffiliateRow, BuyerRow, ProductRow
from resolvers import catalog as catalog_resolvers
from schema.common import Money, Node
from schema.ids import to_global_id


@strawberry.enum
class ProductKind(enum.Enum):
    ONLINE_COURSE = "ONLINE_COURSE"
    EBOOK = "EBOOK"
    COMMUNITY = "COMMUNITY"
    EVENT = "EVENT"
    SOFTWARE = "SOFTWARE"
    SUBSCRIPTION = "SUBSCRIPTION"


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


@strawberry.type(description="Someone who promotes the producer's products for a commission. Scope: sales:read.")
class Affiliate(Node):
    name: str
    email: str

    @classmethod
    def from_row(cls, row: AffiliateRow) -> Affiliate:
        return cls(id=strawberry.ID(to_global_id("Affiliate", row.id)), name=row.name, email=row.email)


# batch forms (schema/batching.py) of `product`, `buyer` and `affiliate` fields on objects whose `row` has
# `product_id`, `buyer_id` or `affiliate_id`: Sale, LostSale, Subscription, Affiliation


async def products_of(context: Context, sources: list[Any]) -> list[Product]:
    rows = await catalog_resolvers.products_by_id(context, [source.row.product_id for source in sources])
    return [Product.from_row(row) for row in rows]


async def buyers_of(context: Context, sources: list[Any]) -> list[Buyer]:
    rows = await catalog_resolvers.buyers_by_id(context, [source.row.buyer_id for source in sources])
    return [Buyer.from_row(row) for row in rows]


async def affiliates_of(context: Context, sources: list[Any]) -> list[Affiliate | None]:
    rows = await catalog_resolvers.affiliates_by_id(context, [source.row.affiliate_id for source in sources])
    return [Affiliate.from_row(row) if row else None for row in rows]
