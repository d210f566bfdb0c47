"""Refunds a buyer asked for, and what the producer may do about them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from loaders.refunds import RefundRow
from resolvers import refunds as refunds_resolvers
from resolvers import sales as sales_resolvers
from resolvers.context import Context
from schema.common import Money, Node
from schema.enums import OrderDirection, RefundAction, RefundOrderField, RefundStatus
from schema.filters import UPDATED_AT, OrderName, updated_since
from schema.relations import relation
from schema.rows import FromRow, node_type

if TYPE_CHECKING:
    from schema.sales import Sale


@strawberry.input(description="The order of the list: by one of its moments, either way.")
class RefundOrder(OrderName):
    field: RefundOrderField
    direction: OrderDirection


@strawberry.input(description="Every condition given must hold.")
class RefundFilter:
    status: list[RefundStatus] | None = None
    requested_from: datetime.datetime | None = None
    requested_to: datetime.datetime | None = strawberry.field(default=None, description="Exclusive.")
    updated_since: datetime.datetime | None = updated_since()


@node_type(RefundRow)
@strawberry.type(description="A refund of (part of) a sale. Scope: refunds:read.")
class Refund(Node, FromRow):
    amount: Money
    reason: str | None
    status: RefundStatus
    requested_at: datetime.datetime
    resolved_at: datetime.datetime | None
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)
    denial_reason: str | None = strawberry.field(description="Why the producer denied it, when it did.")
    row: strawberry.Private[RefundRow]

    sale: Annotated[Sale, strawberry.lazy("schema.sales")] = relation(sales_resolvers.SALE)

    @strawberry.field(description="What the producer may do now: APPROVE or DENY while REQUESTED (refunds:write).")
    def available_actions(self, info: Info[Context, None]) -> list[RefundAction]:
        return [RefundAction[action] for action in refunds_resolvers.available_actions(info.context, self.row)]
