"""Sales: the Sale type, its enums, and the filter and order of the sales list."""

from __future__ import annotations

import datetime
import enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from gateway.context import Context
from loaders.sales import SaleFilterSpec, SaleRow
from resolvers import catalog as catalog_resolvers
from resolvers import sales as sales_resolvers
from schema.batching import batch_form
from schema.catalog import Affiliate, Buyer, Product, affiliates_of, buyers_of, products_of
from schema.common import CurrencyCode, Money, Node
from schema.errors import BadUserInput
from schema.ids import pk_of, to_global_id
from schema.permissions import require_scope

if TYPE_CHECKING:
    from schema.lost_sales import LostSale
    from schema.refunds import Refund
    from schema.subscriptions import Subscription


@strawberry.enum
class SaleStatus(enum.Enum):
    STARTED = "STARTED"
    WAITING_PAYMENT = "WAITING_PAYMENT"
    PRINTED_BILLET = "PRINTED_BILLET"
    PROCESSING_TRANSACTION = "PROCESSING_TRANSACTION"
    UNDER_ANALYSIS = "UNDER_ANALYSIS"
    APPROVED = "APPROVED"
    COMPLETE = "COMPLETE"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    NO_FUNDS = "NO_FUNDS"
    BLOCKED = "BLOCKED"
    OVERDUE = "OVERDUE"
    PRE_ORDER = "PRE_ORDER"
    PROTESTED = "PROTESTED"
    DISPUTE = "DISPUTE"
    CHARGEBACK = "CHARGEBACK"
    REFUNDED = "REFUNDED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"


@strawberry.enum
class PaymentMethod(enum.Enum):
    CREDIT_CARD = "CREDIT_CARD"
    DEBIT_CARD = "DEBIT_CARD"
    BILLET = "BILLET"
    PIX = "PIX"
    PAYPAL = "PAYPAL"
    GOOGLE_PAY = "GOOGLE_PAY"
    APPLE_PAY = "APPLE_PAY"
    WALLET = "WALLET"
    DIRECT_DEBIT = "DIRECT_DEBIT"
    BANK_TRANSFER = "BANK_TRANSFER"


@strawberry.enum
class Device(enum.Enum):
    DESKTOP = "DESKTOP"
    MOBILE = "MOBILE"
    TABLET = "TABLET"
    UNKNOWN = "UNKNOWN"


# dict lookups are several times cheaper than calling the enum, and from_row runs once per sale
SALE_STATUSES = {member.value: member for member in SaleStatus}
PAYMENT_METHODS = {member.value: member for member in PaymentMethod}
DEVICES = {member.value: member for member in Device}


@strawberry.enum
class SaleOrderField(enum.Enum):
    CREATED_AT = "CREATED_AT"
    GROSS_AMOUNT = "GROSS_AMOUNT"


@strawberry.enum
class OrderDirection(enum.Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input
class SaleOrder:
    field: SaleOrderField
    direction: OrderDirection


def bounded_text(value: str | None, field: str, limit: int) -> str | None:
    if value is not None and len(value) > limit:
        raise BadUserInput(f"`{field}` may have at most {limit} characters")
    return value


@strawberry.input(description="Every condition given must hold.")
class SaleFilter:
    status: list[SaleStatus] | None = None
    product_ids: list[strawberry.ID] | None = None
    payment_methods: list[PaymentMethod] | None = None
    currency: CurrencyCode | None = None
    created_from: datetime.datetime | None = None
    created_to: datetime.datetime | None = strawberry.field(default=None, description="Exclusive.")
    buyer_email: str | None = None
    affiliate_id: strawberry.ID | None = None
    recovered: bool | None = None
    search: str | None = strawberry.field(default=None, description="Transaction code, buyer name or e-mail.")

    def to_spec(self) -> SaleFilterSpec:
        search = (self.search or "").strip()[: sales_resolvers.MAX_SEARCH_LENGTH] or None
        return SaleFilterSpec(
            statuses=[status.value for status in self.status] if self.status is not None else None,
            product_ids=[pk_of(i, "Product") for i in self.product_ids] if self.product_ids is not None else None,
            payment_methods=[m.value for m in self.payment_methods] if self.payment_methods is not None else None,
            currency=self.currency.value if self.currency else None,
            created_from=self.created_from,
            created_to=self.created_to,
            buyer_email=bounded_text(self.buyer_email, "filter.buyerEmail", 320),
            affiliate_id=pk_of(self.affiliate_id, "Affiliate") if self.affiliate_id is not None else None,
            recovered=self.recovered,
            search=search,
        )


@strawberry.type(description="One order: what was bought, by whom, how, and where the money went. Scope: sales:read.")
class Sale(Node):
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
    row: strawberry.Private[SaleRow]

    @classmethod
    def from_row(cls, row: SaleRow) -> Sale:
        currency = row.currency
        return cls(
            id=strawberry.ID(to_global_id("Sale", row.id)),
            transaction_code=row.transaction_code,
            status=SALE_STATUSES[row.status],
            offer_code=row.offer_code,
            payment_method=PAYMENT_METHODS[row.payment_method],
            installments=row.installments,
            device=DEVICES[row.device],
            source=row.source,
            gross_amount=Money.of(row.gross_amount, currency),
            fees=Money.of(row.fees, currency),
            taxes=Money.of(row.taxes, currency),
            affiliate_commission=Money.of(row.affiliate_commission, currency),
            net_amount=Money.of(row.net_amount, currency),
            created_at=row.created_at,
            approved_at=row.approved_at,
            row=row,
        )

    @strawberry.field
    @batch_form(products_of)
    async def product(self, info: Info[Context, None]) -> Product:
        return Product.from_row(await catalog_resolvers.product(info.context, self.row.product_id))

    @strawberry.field
    @batch_form(buyers_of)
    async def buyer(self, info: Info[Context, None]) -> Buyer:
        return Buyer.from_row(await catalog_resolvers.buyer(info.context, self.row.buyer_id))

    @strawberry.field(description="Who promoted the sale, if anyone.")
    @batch_form(affiliates_of)
    async def affiliate(self, info: Info[Context, None]) -> Affiliate | None:
        row = await catalog_resolvers.affiliate(info.context, self.row.affiliate_id)
        return Affiliate.from_row(row) if row else None

    @strawberry.field(description="Whether this sale recovered a lost sale of the same buyer and product.")
    @batch_form(lambda context, sales: _recovered(context, sales))
    async def recovered(self, info: Info[Context, None]) -> bool:
        return await sales_resolvers.recovered_from(info.context, self.row.id) is not None

    @strawberry.field
    @batch_form(lambda context, sales: _recovered_from(context, sales))
    async def recovered_from(
        self, info: Info[Context, None]
    ) -> Annotated[LostSale, strawberry.lazy("schema.lost_sales")] | None:
        from schema.lost_sales import LostSale

        row = await sales_resolvers.recovered_from(info.context, self.row.id)
        return LostSale.from_row(row) if row else None

    @strawberry.field(description="Scope: refunds:read.")
    async def refunds(
        self, info: Info[Context, None]
    ) -> list[Annotated[Refund, strawberry.lazy("schema.refunds")]] | None:
        from schema.refunds import Refund

        require_scope(info.context.principal, "refunds:read")
        return [Refund.from_row(row) for row in await sales_resolvers.refunds_of(info.context, self.row.id)]

    @strawberry.field(description="The subscription this sale charged, if any. Scope: subscriptions:read.")
    async def subscription(
        self, info: Info[Context, None]
    ) -> Annotated[Subscription, strawberry.lazy("schema.subscriptions")] | None:
        from schema.subscriptions import Subscription

        require_scope(info.context.principal, "subscriptions:read")
        row = await sales_resolvers.subscription_of(info.context, self.row.subscription_id)
        return Subscription.from_row(row) if row else None


# batch forms (schema/batching.py) of the fields above: the same values, one call per page of sales


async def _recovered(context: Context, sales: list[Sale]) -> list[bool]:
    rows = await sales_resolvers.recovered_from_many(context, [sale.row.id for sale in sales])
    return [row is not None for row in rows]


async def _recovered_from(context: Context, sales: list[Sale]) -> list[LostSale | None]:
    from schema.lost_sales import LostSale

    rows = await sales_resolvers.recovered_from_many(context, [sale.row.id for sale in sales])
    return [LostSale.from_row(row) if row else None for row in rows]
