"""Withdrawals and prepayments: their types, the filter of withdrawals and the inputs that request them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry

from loaders.finance.payouts import PrepaymentRow, WithdrawalRow
from schema.common import Money, Node
from schema.enums import (
    CurrencyCode,
    OrderDirection,
    PrepaymentOrderField,
    PrepaymentStatus,
    WithdrawalOrderField,
    WithdrawalStatus,
)
from schema.filters import UPDATED_AT, OrderName, updated_since
from schema.rows import FromRow, node_type


@strawberry.input(description="The order of the list: by one of its moments, either way.")
class WithdrawalOrder(OrderName):
    field: WithdrawalOrderField
    direction: OrderDirection


@strawberry.input(description="Every condition given must hold.")
class PrepaymentFilter:
    updated_since: datetime.datetime | None = updated_since()


@strawberry.input(description="The order of the list: by one of its moments, either way.")
class PrepaymentOrder(OrderName):
    field: PrepaymentOrderField
    direction: OrderDirection


@strawberry.input(description="Every condition given must hold.")
class WithdrawalFilter:
    status: list[WithdrawalStatus] | None = None
    currency: CurrencyCode | None = None
    updated_since: datetime.datetime | None = updated_since()


@node_type(WithdrawalRow)
@strawberry.type(description="A payout of available money to the producer's bank account. Scope: finance:read.")
class Withdrawal(Node, FromRow):
    amount: Money
    status: WithdrawalStatus
    requested_at: datetime.datetime
    paid_at: datetime.datetime | None
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)
    failure_reason: str | None


@node_type(PrepaymentRow)
@strawberry.type(description="An advance on pending money, for a fee. Scope: finance:read.")
class Prepayment(Node, FromRow):
    amount: Money
    fee: Money
    status: PrepaymentStatus
    created_at: datetime.datetime
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)


@strawberry.input
class RequestWithdrawalInput:
    amount: Decimal = strawberry.field(description="Positive, at most 2 decimals, at most the available balance.")
    currency: CurrencyCode
    idempotency_key: str = strawberry.field(
        description="Up to 255 characters. The same key returns the first result; with other arguments it is "
        "IDEMPOTENCY_KEY_REUSED."
    )


@strawberry.input
class RequestPrepaymentInput:
    amount: Decimal = strawberry.field(description="Positive, at most 2 decimals, at most the pending balance.")
    currency: CurrencyCode
    idempotency_key: str
