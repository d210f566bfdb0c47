"""The root Query type: every read of the API, in the order of the published schema. Each field is declared in
its domain's module (its resolver, arguments and description); here it takes its place and its type."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import affiliations as affiliations_resolvers
from resolvers import catalog as catalog_resolvers
from resolvers import events as events_resolvers
from resolvers import lost_sales as lost_sales_resolvers
from resolvers import node as node_resolvers
from resolvers import overview as overview_resolvers
from resolvers import producers as producers_resolvers
from resolvers import refunds as refunds_resolvers
from resolvers import reports as reports_resolvers
from resolvers import sales as sales_resolvers
from resolvers import strategies as strategies_resolvers
from resolvers import subscriptions as subscriptions_resolvers
from resolvers import webhooks as webhooks_resolvers
from resolvers.context import Context
from resolvers.finance import ledger as ledger_resolvers
from resolvers.finance import payouts as payouts_resolvers
from resolvers.finance import receipts as receipts_resolvers
from schema.affiliations import Affiliation, AffiliationFilter, AffiliationOrder
from schema.catalog import Product, ProductFilter, ProductOrder
from schema.common import NODE_TYPES, DateRangeInput, Node
from schema.connections import Connection, connection_field
from schema.cost import AGGREGATE, COUNT, cost
from schema.enums import CurrencyCode
from schema.events import Event, EventFilter
from schema.finance.ledger import Balance, StatementEntry, StatementFilter, StatementOrder
from schema.finance.payouts import (
    Prepayment,
    PrepaymentFilter,
    PrepaymentOrder,
    Withdrawal,
    WithdrawalFilter,
    WithdrawalOrder,
)
from schema.finance.receipts import Receipt, ReceiptFilter, ReceiptOrder
from schema.lost_sales import LostSale, LostSaleFilter, LostSaleOrder
from schema.overview import SalesOverview
from schema.producers import Producer
from schema.rate_limits import RateLimit, rate_limit
from schema.refunds import Refund, RefundFilter, RefundOrder
from schema.reports import Reports
from schema.sales import Sale, SaleFilter, SaleOrder
from schema.strategies import Strategy
from schema.subscriptions import Subscription, SubscriptionFilter, SubscriptionOrder, SubscriptionSummary
from schema.webhooks import (
    WebhookDelivery,
    WebhookDeliveryFilter,
    WebhookSubscription,
    WebhookSubscriptionFilter,
)


async def _balances(info: Info[Context, None]) -> list[Balance] | None:
    return [Balance.from_row(row) for row in await ledger_resolvers.balances(info.context)]


balances = strawberry.field(
    resolver=_balances,
    description="One balance per currency the producer holds. Scope: finance:read.",
    metadata=cost(COUNT),
)
statement = connection_field(ledger_resolvers.statement, filter=StatementFilter, order=StatementOrder)


withdrawals = connection_field(payouts_resolvers.withdrawals, filter=WithdrawalFilter, order=WithdrawalOrder)
prepayments = connection_field(payouts_resolvers.prepayments, filter=PrepaymentFilter, order=PrepaymentOrder)


receipts = connection_field(receipts_resolvers.receipts, filter=ReceiptFilter, order=ReceiptOrder)


@strawberry.field(description="Reports and analytics. Scope: reports:read.")
def reports(info: Info[Context, None]) -> Reports | None:
    reports_resolvers.reports(info.context)
    return Reports()


@strawberry.field(
    description="Recommended strategies derived from the producer's own numbers, most urgent first. "
    "Scope: reports:read.",
    metadata=cost(2 * AGGREGATE),
)
async def strategies(info: Info[Context, None]) -> list[Strategy] | None:
    return [Strategy.from_row(advice) for advice in await strategies_resolvers.strategies(info.context)]


@strawberry.field(description="Any object by its global id; null when there is none (or it is not yours).")
async def node(info: Info[Context, None], id: strawberry.ID) -> Node | None:
    found = await node_resolvers.node(info.context, id)
    if found is None:
        return None
    type_name, row = found
    built: Node = NODE_TYPES[type_name].from_row(row)
    return built


@strawberry.field(description="The producer the API key belongs to.")
async def viewer(info: Info[Context, None]) -> Producer:
    return Producer.from_row(await producers_resolvers.viewer(info.context))


@strawberry.field(
    description="The Sales Management card: the last 7 days (or `period`), per currency. Scope: sales:read.",
    metadata=cost(AGGREGATE),
)
async def sales_management(
    info: Info[Context, None],
    currency: CurrencyCode | None = None,
    period: DateRangeInput | None = None,
) -> SalesOverview | None:
    days = (period.from_, period.to) if period else (None, None)
    card = await overview_resolvers.sales_overview(info.context, currency.name if currency else None, *days)
    return SalesOverview.from_overview(card)


sales = connection_field(sales_resolvers.sales, filter=SaleFilter, order=SaleOrder)


@strawberry.field(description="One sale by its transaction code, or null. Scope: sales:read.")
async def sale(info: Info[Context, None], transaction_code: str) -> Sale | None:
    row = await sales_resolvers.sale(info.context, transaction_code)
    return Sale.from_row(row) if row else None


lost_sales = connection_field(lost_sales_resolvers.lost_sales, filter=LostSaleFilter, order=LostSaleOrder)


refunds = connection_field(refunds_resolvers.refunds, filter=RefundFilter, order=RefundOrder)


subscriptions = connection_field(
    subscriptions_resolvers.subscriptions, filter=SubscriptionFilter, order=SubscriptionOrder
)


@strawberry.field(
    description="Active, new and cancelled subscriptions of a period (default: the last 7 days). "
    "Scope: subscriptions:read.",
    metadata=cost(AGGREGATE),
)
async def subscription_summary(
    info: Info[Context, None], period: DateRangeInput | None = None
) -> SubscriptionSummary | None:
    dates = (period.from_, period.to) if period else (None, None)
    resolved, rows = await subscriptions_resolvers.subscription_summary(info.context, *dates)
    return SubscriptionSummary.from_rows(resolved, rows)


affiliations = connection_field(affiliations_resolvers.affiliations, filter=AffiliationFilter, order=AffiliationOrder)


events = connection_field(events_resolvers.events, filter=EventFilter)


webhook_subscriptions = connection_field(webhooks_resolvers.webhook_subscriptions, filter=WebhookSubscriptionFilter)
webhook_deliveries = connection_field(webhooks_resolvers.webhook_deliveries, filter=WebhookDeliveryFilter)


products = connection_field(catalog_resolvers.products, filter=ProductFilter, order=ProductOrder)


@strawberry.type
class Query:
    balances: list[Balance] | None = balances
    statement: Connection[StatementEntry] | None = statement
    withdrawals: Connection[Withdrawal] | None = withdrawals
    prepayments: Connection[Prepayment] | None = prepayments
    receipts: Connection[Receipt] | None = receipts
    reports: Reports | None = reports
    strategies: list[Strategy] | None = strategies
    node: Node | None = node
    viewer: Producer = viewer
    sales_management: SalesOverview | None = sales_management
    sales: Connection[Sale] | None = sales
    sale: Sale | None = sale
    lost_sales: Connection[LostSale] | None = lost_sales
    refunds: Connection[Refund] | None = refunds
    subscriptions: Connection[Subscription] | None = subscriptions
    subscription_summary: SubscriptionSummary | None = subscription_summary
    affiliations: Connection[Affiliation] | None = affiliations
    products: Connection[Product] | None = products
    events: Connection[Event] | None = events
    webhook_subscriptions: Connection[WebhookSubscription] | None = webhook_subscriptions
    webhook_deliveries: Connection[WebhookDelivery] | None = webhook_deliveries
    rate_limit: RateLimit = rate_limit
