"""The root Query type: every read of the API, in the order of the published schema. Each field is declared in
its domain's module (its resolver, arguments and description); here it takes its place and its type."""

from __future__ import annotations

import strawberry

from schema.affiliations import Affiliation, affiliations
from schema.catalog import Product, products
from schema.common import Node
from schema.connections import Connection
from schema.finance.ledger import Balance, StatementEntry, balances, statement
from schema.finance.payouts import Prepayment, Withdrawal, prepayments, withdrawals
from schema.finance.receipts import Receipt, receipts
from schema.lost_sales import LostSale, lost_sales
from schema.node import node
from schema.overview import SalesOverview, sales_management
from schema.producers import Producer, viewer
from schema.refunds import Refund, refunds
from schema.reports import Reports, reports
from schema.sales import Sale, sale, sales
from schema.strategies import Strategy, strategies
from schema.subscriptions import Subscription, SubscriptionSummary, subscription_summary, subscriptions


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
