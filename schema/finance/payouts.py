"""Withdrawals and prepayments: the lists, and requesting or cancelling them."""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal

import strawberry
from strawberry.types import Info

from loaders.finance.payouts import PrepaymentRow, WithdrawalRow
from resolvers.context import Context
from resolvers.finance import ledger as ledger_resolvers
from resolvers.finance import payouts as payouts_resolvers
from schema.common import CurrencyCode, Money, Node
from schema.connections import connection_field
from schema.finance.ledger import Balance
from schema.payloads import Payload, UserError
from schema.rows import FromRow, node_type

WithdrawalStatus = enum.Enum("WithdrawalStatus", "REQUESTED PROCESSING PAID FAILED CANCELLED")
strawberry.enum(WithdrawalStatus)


PrepaymentStatus = enum.Enum("PrepaymentStatus", "REQUESTED APPROVED REJECTED")
strawberry.enum(PrepaymentStatus)


@strawberry.input(description="Every condition given must hold.")
class WithdrawalFilter:
    status: list[WithdrawalStatus] | None = None
    currency: CurrencyCode | None = None


@node_type(WithdrawalRow)
@strawberry.type(description="A payout of available money to the producer's bank account. Scope: finance:read.")
class Withdrawal(Node, FromRow):
    amount: Money
    status: WithdrawalStatus
    requested_at: datetime.datetime
    paid_at: datetime.datetime | None
    failure_reason: str | None


@node_type(PrepaymentRow)
@strawberry.type(description="An advance on pending money, for a fee. Scope: finance:read.")
class Prepayment(Node, FromRow):
    amount: Money
    fee: Money
    status: PrepaymentStatus
    created_at: datetime.datetime


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


async def _balance(context: Context, currency: str | None) -> Balance | None:
    """The balance a money mutation leaves in its currency, as committed."""
    row = await ledger_resolvers.balance_in(context, currency) if currency is not None else None
    return Balance.from_row(row) if row else None


@strawberry.type
class RequestWithdrawalPayload(Payload):
    withdrawal: Withdrawal | None
    balance: Balance | None
    user_errors: list[UserError]


@strawberry.type
class CancelWithdrawalPayload(RequestWithdrawalPayload):
    pass


@strawberry.type
class RequestPrepaymentPayload(Payload):
    prepayment: Prepayment | None
    balance: Balance | None
    user_errors: list[UserError]


withdrawals = connection_field(
    payouts_resolvers.withdrawals,
    filter=WithdrawalFilter,
    description="Withdrawals, newest request first. Scope: finance:read.",
)
prepayments = connection_field(
    payouts_resolvers.prepayments,
    description="Prepayments (advances on pending money), newest first. Scope: finance:read.",
)


@strawberry.mutation(description="Withdraw available money. Scope: finance:write.")
async def request_withdrawal(info: Info[Context, None], input: RequestWithdrawalInput) -> RequestWithdrawalPayload:
    currency = input.currency.name
    outcome = await payouts_resolvers.request_withdrawal(info.context, input.amount, currency, input.idempotency_key)
    return RequestWithdrawalPayload.of(outcome, balance=await _balance(info.context, currency))


@strawberry.mutation(
    description="Cancel a REQUESTED withdrawal; its money comes back through the ledger. Scope: finance:write."
)
async def cancel_withdrawal(info: Info[Context, None], id: strawberry.ID) -> CancelWithdrawalPayload:
    outcome = await payouts_resolvers.cancel_withdrawal(info.context, id)
    currency = outcome.row.currency if outcome.row else None
    return CancelWithdrawalPayload.of(outcome, balance=await _balance(info.context, currency))


@strawberry.mutation(
    description="Advance pending money to available, for a fee (GATEWAY_PREPAYMENT_FEE_PERCENT). Scope: finance:write."
)
async def request_prepayment(info: Info[Context, None], input: RequestPrepaymentInput) -> RequestPrepaymentPayload:
    currency = input.currency.name
    outcome = await payouts_resolvers.request_prepayment(info.context, input.amount, currency, input.idempotency_key)
    return RequestPrepaymentPayload.of(outcome, balance=await _balance(info.context, currency))
