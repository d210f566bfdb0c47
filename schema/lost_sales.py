"""Lost sales: failed purchase attempts, one per buyer and product (the last), and their recovery."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from loaders.lost_sales import LostSaleRow
from resolvers import catalog as catalog_resolvers
from resolvers import sales as sales_resolvers
from schema.catalog import Buyer, Product
from schema.common import Money, Node
from schema.enums import CurrencyCode, LostSaleOrderField, LostSaleReason, OrderDirection, PaymentMethod
from schema.filters import UPDATED_AT, OrderName, ids_of, updated_since
from schema.relations import relation
from schema.rows import FromRow, node_type

if TYPE_CHECKING:
    from schema.sales import Sale


@strawberry.input(description="The order of the list: by one of its moments, either way.")
class LostSaleOrder(OrderName):
    field: LostSaleOrderField
    direction: OrderDirection


@strawberry.input(description="Every condition given must hold.")
class LostSaleFilter:
    reasons: list[LostSaleReason] | None = None
    product_ids: list[strawberry.ID] | None = ids_of("Product")
    currency: CurrencyCode | None = None
    recovered: bool | None = None
    created_from: datetime.datetime | None = None
    created_to: datetime.datetime | None = strawberry.field(default=None, description="Exclusive.")
    updated_since: datetime.datetime | None = updated_since()


@node_type(LostSaleRow, potential_revenue=lambda row: Money.of(row.amount, row.currency))
@strawberry.type(
    description="A purchase that failed: the last failed attempt of one buyer on one product. Scope: sales:read."
)
class LostSale(Node, FromRow):
    reason: LostSaleReason
    potential_revenue: Money
    payment_method: PaymentMethod | None
    source: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)
    row: strawberry.Private[LostSaleRow]

    product: Product = relation(catalog_resolvers.PRODUCT)
    buyer: Buyer = relation(catalog_resolvers.BUYER)
    recovered_by: Annotated[Sale, strawberry.lazy("schema.sales")] | None = relation(
        sales_resolvers.RECOVERING_SALE, description="The later sale (same buyer and product) that recovered it."
    )
