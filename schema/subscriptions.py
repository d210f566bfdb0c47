"""Subscriptions (recurring purchases) and their summary. Not GraphQL subscriptions: those would be `LiveFeed`."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from loaders.subscriptions import SubscriptionRow, SubscriptionStatusChangeRow, SubscriptionSummaryRow
from resolvers import catalog as catalog_resolvers
from resolvers import subscriptions as subscriptions_resolvers
from resolvers.periods import Period
from schema.catalog import Buyer, Product
from schema.common import DateRange, Money, Node
from schema.connections import Connection, connection_field
from schema.enums import OrderDirection, SubscriptionOrderField, SubscriptionStatus
from schema.filters import UPDATED_AT, OrderName, ids_of, updated_since
from schema.relations import relation
from schema.rows import FromRow, node_type, row_type

if TYPE_CHECKING:
    from schema.sales import Sale


@strawberry.input(description="The order of the list: by one of its moments, either way.")
class SubscriptionOrder(OrderName):
    field: SubscriptionOrderField
    direction: OrderDirection


@strawberry.input(description="Every condition given must hold.")
class SubscriptionFilter:
    status: list[SubscriptionStatus] | None = None
    product_ids: list[strawberry.ID] | None = ids_of("Product")
    started_from: datetime.datetime | None = None
    started_to: datetime.datetime | None = strawberry.field(default=None, description="Exclusive.")
    updated_since: datetime.datetime | None = updated_since()


@row_type(SubscriptionStatusChangeRow)
@strawberry.type(description="A status a subscription took, and when.")
class SubscriptionStatusChange(FromRow):
    status: SubscriptionStatus
    changed_at: datetime.datetime
    reason: str | None = strawberry.field(description="Why it was cancelled, when the canceller said.")


@node_type(SubscriptionRow)
@strawberry.type(description="A recurring purchase of a product. Scope: subscriptions:read.")
class Subscription(Node, FromRow):
    plan_name: str
    price: Money
    status: SubscriptionStatus
    started_at: datetime.datetime
    cancelled_at: datetime.datetime | None = strawberry.field(
        description="When its current cancellation happened; null while it is not cancelled (a reactivated "
        "subscription's cancellations stay in `statusHistory`)."
    )
    next_charge_at: datetime.datetime | None
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)
    recurrence: int = strawberry.field(description="How many charges so far.")
    billing_months: int = strawberry.field(description="How many months one charge covers: 1, 3, 6 or 12.")
    row: strawberry.Private[SubscriptionRow]

    subscriber: Buyer = relation(catalog_resolvers.BUYER)
    product: Product = relation(catalog_resolvers.PRODUCT)
    charges: Connection[Annotated[Sale, strawberry.lazy("schema.sales")]] = connection_field(
        subscriptions_resolvers.charges, parent=True
    )
    status_history: Connection[SubscriptionStatusChange] = connection_field(
        subscriptions_resolvers.status_history, parent=True
    )


@strawberry.type(description="Subscriptions over a period. Scope: subscriptions:read.")
class SubscriptionSummary:
    period: DateRange
    active: int = strawberry.field(
        description="Started before the period's end, and neither cancelled nor INACTIVE then (by their history)."
    )
    new: int = strawberry.field(description="Started in the period.")
    cancelled: int = strawberry.field(
        description="Cancellations in the period, a subscription reactivated since included."
    )
    monthly_recurring_revenue: list[Money] = strawberry.field(
        description="The active subscriptions' prices as a monthly amount (a quarterly plan adds a third of its "
        "price, an annual one a twelfth), one entry per currency."
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
