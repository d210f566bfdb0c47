"""Refunds a buyer asked for, and what the producer may do about them."""

from __future__ import annotations

import datetime
import enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from gateway.context import Context
from loaders.refunds import RefundFilterSpec, RefundRow
from resolvers import refunds as refund_resolvers
from resolvers import sales as sales_resolvers
from schema.batching import batch_form
from schema.common import Money, Node
from schema.ids import to_global_id

if TYPE_CHECKING:
    from schema.sales import Sale


@strawberry.enum
class RefundStatus(enum.Enum):
    REQUESTED = "REQUESTED"
    APPROVED = "APPROVED"
    DENIED = "DENIED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


@strawberry.enum
class RefundAction(enum.Enum):
    APPROVE = "APPROVE"
    DENY = "DENY"


@strawberry.input(description="Every condition given must hold.")
class RefundFilter:
    status: list[RefundStatus] | None = None
    requested_from: datetime.datetime | None = None
    requested_to: datetime.datetime | None = strawberry.field(default=None, description="Exclusive.")

    def to_spec(self) -> RefundFilterSpec:
        return RefundFilterSpec(
            statuses=[status.value for status in self.status] if self.status is not None else None,
            requested_from=self.requested_from,
            requested_to=self.requested_to,
        )


@strawberry.type(description="A refund of (part of) a sale. Scope: refunds:read.")
class Refund(Node):
    amount: Money
    reason: str | None
    status: RefundStatus
    requested_at: datetime.datetime
    resolved_at: datetime.datetime | None
    row: strawberry.Private[RefundRow]

    @classmethod
    def from_row(cls, row: RefundRow) -> Refund:
        return cls(
            id=strawberry.ID(to_global_id("Refund", row.id)),
            amount=Money.of(row.amount, row.currency),
            reason=row.reason,
            status=RefundStatus(row.status),
            requested_at=row.requested_at,
            resolved_at=row.resolved_at,
            row=row,
        )

    @strawberry.field
    @batch_form(lambda context, refunds: _sales_of(context, refunds))
    async def sale(self, info: Info[Context, None]) -> Annotated[Sale, strawberry.lazy("schema.sales")]:
        from schema.sales import Sale

        return Sale.from_row(await sales_resolvers.sale_of(info.context, self.row.sale_id))

    @strawberry.field(description="What the producer may do now: APPROVE or DENY while REQUESTED (refunds:write).")
    def available_actions(self, info: Info[Context, None]) -> list[RefundAction]:
        can_write = info.context.principal.can("refunds:write")
        return [RefundAction(action) for action in refund_resolvers.available_actions(self.row, can_write=can_write)]


async def _sales_of(context: Context, refunds: list[Refund]) -> list[Sale]:
    """Batch form (schema/batching.py) of `Refund.sale`."""
    from schema.sales import Sale

    return [Sale.from_row(row) for row in await sales_resolvers.sales_of(context, [r.row.sale_id for r in refunds])]
