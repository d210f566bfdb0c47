"""Sales: the Sale type, and the filter and order of the sales list."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from loaders.sales import SaleRow
from resolvers import catalog as catalog_resolvers
from resolvers import lost_sales as lost_sales_resolvers
from resolvers import refunds as refunds_resolvers
from resolvers import subscriptions as subscriptions_resolvers
from schema.catalog import Affiliate, Buyer, Product
from schema.common import Money, Node
from schema.enums import CurrencyCode, Device, OrderDirection, PaymentMethod, SaleOrderField, SaleStatus
from schema.filters import UPDATED_AT, OrderName, ids_of, updated_since
from schema.relations import relation
from schema.rows import FromRow, node_type

if TYPE_CHECKING:
    from schema.lost_sales import LostSale
    from schema.refunds import Refund
    from schema.subscriptions import Subscription


@strawberry.input
class SaleOrder(OrderName):
    field: SaleOrderField
    direction: OrderDirection


@strawberry.input(description="Every condition given must hold.")
class SaleFilter:
    status: list[SaleStatus] | None = None
    product_ids: list[strawberry.ID] | None = ids_of("Product")
    payment_methods: list[PaymentMethod] | None = None
    currency: CurrencyCode | None = None
    created_from: datetime.datetime | None = None
    created_to: datetime.datetime | None = strawberry.field(default=None, description="Exclusive.")
    buyer_email: str | None = None
    affiliate_id: strawberry.ID | None = ids_of("Affiliate")
    recovered: bool | None = None
    search: str | None = strawberry.field(default=None, description="Transaction code, buyer name or e-mail.")
    updated_since: datetime.datetime | None = updated_since()


@node_type(SaleRow)
@strawberry.type(description="One order: what was bought, by whom, how, and where the money went. Scope: sales:read.")
class Sale(Node, FromRow):
    transaction_code: str
    status: SaleStatus
    offer_code: str | None
    payment_method: PaymentMethod
    installments: int
    device: Device
    source: str | None = strawberry.field(description="Traffic source (utm).")
    gross_amount: Money
    fees: Money
    taxes: Money
    affiliate_commission: Money
    net_amount: Money = strawberry.field(description="The producer's commission: gross - fees - taxes - affiliate.")
    created_at: datetime.datetime
    approved_at: datetime.datetime | None
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)
    row: strawberry.Private[SaleRow]

    product: Product = relation(catalog_resolvers.PRODUCT)
    buyer: Buyer = relation(catalog_resolvers.BUYER)
    affiliate: Affiliate | None = relation(catalog_resolvers.AFFILIATE, description="Who promoted the sale, if anyone.")
    recovered: bool = relation(
        lost_sales_resolvers.RECOVERED_LOST_SALE,
        lambda lost_sale, _: lost_sale is not None,
        description="Whether this sale recovered a lost sale of the same buyer and product.",
    )
    recovered_from: Annotated[LostSale, strawberry.lazy("schema.lost_sales")] | None = relation(
        lost_sales_resolvers.RECOVERED_LOST_SALE
    )
    refunds: list[Annotated[Refund, strawberry.lazy("schema.refunds")]] | None = relation(
        refunds_resolvers.REFUNDS_OF_SALE, description="Scope: refunds:read."
    )
    subscription: Annotated[Subscription, strawberry.lazy("schema.subscriptions")] | None = relation(
        subscriptions_resolvers.SUBSCRIPTION,
        description="The subscription this sale charged, if any. Scope: subscriptions:read.",
    )
