"""Commission receipts between the producer and its affiliates, and the filter of their list."""

from __future__ import annotations

import datetime

import strawberry

from loaders.finance.receipts import ReceiptRow
from resolvers import catalog as catalog_resolvers
from schema.catalog import Affiliate
from schema.common import DateRange, Money, Node
from schema.enums import OrderDirection, ReceiptDirection, ReceiptOrderField, ReceiptStatus
from schema.filters import UPDATED_AT, OrderName, updated_since
from schema.relations import relation
from schema.rows import FromRow, node_type


@strawberry.input(description="The order of the list: by one of its moments, either way.")
class ReceiptOrder(OrderName):
    field: ReceiptOrderField
    direction: OrderDirection


@strawberry.input(description="Every condition given must hold.")
class ReceiptFilter:
    direction: ReceiptDirection | None = None
    status: list[ReceiptStatus] | None = None
    updated_since: datetime.datetime | None = updated_since()


@node_type(ReceiptRow, period=lambda row: DateRange(from_=row.period_from, to=row.period_to))
@strawberry.type(
    description="A commission receipt between the producer and an affiliate, sent or received. Scope: finance:read."
)
class Receipt(Node, FromRow):
    number: str
    direction: ReceiptDirection
    amount: Money
    status: ReceiptStatus
    period: DateRange
    issued_at: datetime.datetime
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)
    row: strawberry.Private[ReceiptRow]

    affiliate: Affiliate = relation(catalog_resolvers.AFFILIATE)
