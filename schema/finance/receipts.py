"""Commission receipts between the producer and its affiliates, and deciding the received ones."""

from __future__ import annotations

import datetime
import enum

import strawberry
from strawberry.types import Info

from loaders.finance.receipts import ReceiptRow
from loaders.writes import Outcome
from resolvers import catalog
from resolvers.context import Context
from resolvers.finance import receipts
from resolvers.ids import to_global_id
from schema.catalog import Affiliate
from schema.common import DateRange, Money, Node, node_type
from schema.connections import Connection, connection_field
from schema.payloads import UserError, changed, user_errors
from schema.relations import relation


@strawberry.enum
class ReceiptDirection(enum.Enum):
    SENT = "SENT"
    RECEIVED = "RECEIVED"


@strawberry.enum
class ReceiptStatus(enum.Enum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


@strawberry.input(description="Every condition given must hold.")
class ReceiptFilter:
    direction: ReceiptDirection | None = None
    status: list[ReceiptStatus] | None = None


@node_type
@strawberry.type(
    description="A commission receipt between the producer and an affiliate, sent or received. Scope: finance:read."
)
class Receipt(Node):
    number: str
    direction: ReceiptDirection
    amount: Money
    status: ReceiptStatus
    period: DateRange
    issued_at: datetime.datetime
    row: strawberry.Private[ReceiptRow]

    @classmethod
    def from_row(cls, row: ReceiptRow) -> Receipt:
        return cls(
            id=strawberry.ID(to_global_id("Receipt", row.id)),
            number=row.number,
            direction=ReceiptDirection(row.direction),
            amount=Money.of(row.amount, row.currency),
            status=ReceiptStatus(row.status),
            period=DateRange(from_=row.period_from, to=row.period_to),
            issued_at=row.issued_at,
            row=row,
        )

    affiliate: Affiliate = relation(catalog.AFFILIATE)


@strawberry.type
class ReceiptPayload:
    receipt: Receipt | None
    user_errors: list[UserError]

    @classmethod
    def of(cls, outcome: Outcome[ReceiptRow]) -> ReceiptPayload:
        return cls(receipt=changed(outcome, Receipt.from_row), user_errors=user_errors(outcome))


@strawberry.type
class ReceiptsQuery:
    receipts: Connection[Receipt] | None = connection_field(
        receipts.receipts,
        Receipt.from_row,
        filter=ReceiptFilter,
        description="Commission receipts sent and received, newest issued first. Scope: finance:read.",
    )


@strawberry.type
class ReceiptsMutation:
    @strawberry.mutation(description="Accept a PENDING receipt you RECEIVED. Scope: finance:write.")
    async def accept_receipt(self, info: Info[Context, None], id: strawberry.ID) -> ReceiptPayload:
        return ReceiptPayload.of(await receipts.accept_receipt(info.context, id))

    @strawberry.mutation(description="Reject a PENDING receipt you RECEIVED, saying why. Scope: finance:write.")
    async def reject_receipt(self, info: Info[Context, None], id: strawberry.ID, reason: str) -> ReceiptPayload:
        return ReceiptPayload.of(await receipts.reject_receipt(info.context, id, reason))
