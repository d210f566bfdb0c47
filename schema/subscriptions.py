"""Subscriptions (recurring purchases) and their summary. Not GraphQL subscriptions: those would be `LiveFeed`."""

from __future__ import annotations

import datetime
import enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from gateway.context import Context
from loaders.sales import SaleFilterSpec
from loaders.subscriptions import CHARGES_ORDER, SubscriptionFilterSpec, SubscriptionRow, SubscriptionSummaryRow
from resolvers import catalog as catalog_resolvers
from resolvers import sales as sales_resolvers
from resolvers import subscriptions as subscription_resolvers
from resolvers.pagination import Window
from resolvers.periods import Period
from schema.batching import batch_form
from schema.catalog import Buyer, Product, buyers_of, products_of
from schema.common import DateRange, Money, Node
from schema.ids import pk_of, to_global_id
from schema.pagination import Connection, connection_of

if TYPE_CHECKING:
    from schema.sales import Sale


@strawberry.enum
class SubscriptionStatus(enum.Enum):
    STARTED = "STARTED"
    ACTIVE = "ACTIVE"
    DELAYED = "DELAYED"
    OVERDUE = "OVERDUE"
    INACTIVE = "INACTIVE"
    CANCELLED_BY_CUSTOMER = "CANCELLED_BY_CUSTOMER"
    CANCELLED_BY_SELLER = "CANCELLED_BY_SELLER"
    CANCELLED_BY_ADMIN = "CANCELLED_BY_ADMIN"


@strawberry.input(description="Every condition given must hold.")
class SubscriptionFilter:
    status: list[SubscriptionStatus] | None = None
    product_ids: list[strawberry.ID] | None = None
    started_from: datetime.datetime | None = None
    started_to: datetime.datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_spec(self) -> SubscriptionFilterSpec:
        return SubscriptionFilterSpec(
            statuses=[status.value for status in self.status] if self.status is not None else None,
            product_ids=[pk_of(i, "Product") for i in self.product_ids] if self.product_ids is not None else None,
            started_from=self.started_from,
            started_to=self.started_to,
        )


@strawberry.type(description="A recurring purchase of a product. Scope: subscriptions:read.")
class Subscription(Node):
    plan_name: str
    price: Money
    status: SubscriptionStatus
    started_at: datetime.datetime
    cancelled_at: datetime.datetime | None
    next_charge_at: datetime.datetime | None
    recurrence: int = strawberry.field(description="How many charges so far.")
    row: strawberry.Private[SubscriptionRow]

    @classmethod
    def from_row(cls, row: SubscriptionRow) -> Subscription:
        return cls(
            id=strawberry.ID(to_global_id("Subscription", row.id)),
            plan_name=row.plan_name,
            price=Money.of(row.price, row.currency),
            status=SubscriptionStatus(row.status),
            started_at=row.started_at,
            cancelled_at=row.cancelled_at,
            next_charge_at=row.next_charge_at,
            recurrence=row.recurrence,
            row=row,
        )

    @strawberry.field
    @batch_form(buyers_of)
    async def subscriber(self, info: Info[Context, None]) -> Buyer:
        return Buyer.from_row(await catalog_resolvers.buyer(info.context, self.row.buyer_id))

    @strawberry.field
    @batch_form(products_of)
    async def product(self, info: Info[Context, None]) -> Product:
        return Product.from_row(await catalog_resolvers.product(info.context, self.row.product_id))

    @strawberry.field(description="The sales that charged this subscription, newest first.")
    async def charges(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Annotated[Sale, strawberry.lazy("schema.sales")]]:
        from schema.sales import Sale

        context = info.context
        page = await subscription_resolvers.charges(context, self.row.id, Window(first, after, last, before))
        spec = SaleFilterSpec(subscription_id=self.row.id)
        return connection_of(
            page,
            Sale.from_row,
            subscription_resolvers.CHARGES_ORDER_NAME,
            CHARGES_ORDER,
            lambda: sales_resolvers.sales_count(context, spec),
        )


@strawberry.type(description="Subscriptions over a period. Scope: subscriptions:read.")
class SubscriptionSummary:
    period: DateRange
    active: int = strawberry.field(description="Started before the period's end, not cancelled by then, not INACTIVE.")
    new: int = strawberry.field(description="Started in the period.")
    cancelled: int = strawberry.field(description="Cancelled in the period.")
    monthly_recurring_revenue: list[Money] = strawberry.field(
        description="Sum of the prices of the active subscriptions, one entry per currency."
    )

    @classmethod
    def from_rows(cls, period: Period, rows: list[SubscriptionSummaryRow]) -> SubscriptionSummary:
        return cls(
            period=DateRange(from_=period.first_day, to=period.last_day),
            active=sum(row.active for row in rows),
            new=sum(row.new for row in rows),
            cancelled=sum(row.cancelled for row in rows),
            monthly_recurring_revenue=[
                Money.of(row.monthly_recurring_revenue, row.currency) for row in rows if row.active
            ],
        )
