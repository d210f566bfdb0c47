"""The root Mutation type: every change a producer can make, each answering with the changed objects
and `userErrors` (expected failures are data, never GraphQL errors)."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types import Info
from strawberry.types.graphql import OperationType

from gateway.context import Context
from loaders.writes import Outcome
from resolvers.mutations import decisions, money
from schema.affiliations import Affiliation
from schema.common import CurrencyCode
from schema.finance import Balance, Prepayment, Receipt, Withdrawal
from schema.refunds import Refund
from schema.subscriptions import Subscription


@strawberry.enum
class UserErrorCode(enum.Enum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_AMOUNT = "INVALID_AMOUNT"
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    INVALID_STATE = "INVALID_STATE"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    CURRENCY_MISMATCH = "CURRENCY_MISMATCH"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    INVALID_INPUT = "INVALID_INPUT"


@strawberry.type(description="Why a mutation changed nothing.")
class UserError:
    field: list[str] | None = strawberry.field(description="Path to the argument at fault, if one is.")
    message: str
    code: UserErrorCode


def user_errors(outcome: Outcome[Any]) -> list[UserError]:
    if outcome.refused is None:
        return []
    refused = outcome.refused
    return [UserError(field=list(refused.field) or None, message=refused.message, code=UserErrorCode(refused.code))]


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


@strawberry.type
class RequestWithdrawalPayload:
    withdrawal: Withdrawal | None
    balance: Balance | None
    user_errors: list[UserError]


@strawberry.type
class CancelWithdrawalPayload:
    withdrawal: Withdrawal | None
    balance: Balance | None
    user_errors: list[UserError]


@strawberry.type
class RequestPrepaymentPayload:
    prepayment: Prepayment | None
    balance: Balance | None
    user_errors: list[UserError]


@strawberry.type
class RefundPayload:
    refund: Refund | None
    user_errors: list[UserError]


@strawberry.type
class SubscriptionPayload:
    subscription: Subscription | None
    user_errors: list[UserError]


@strawberry.type
class AffiliationPayload:
    affiliation: Affiliation | None
    user_errors: list[UserError]


@strawberry.type
class ReceiptPayload:
    receipt: Receipt | None
    user_errors: list[UserError]


async def _balance(context: Context, currency: str | None) -> Balance | None:
    if currency is None:
        return None
    row = await money.balance_in(context, currency)
    return Balance.from_row(row) if row else None


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Withdraw available money. Scope: finance:write.")
    async def request_withdrawal(
        self, info: Info[Context, None], input: RequestWithdrawalInput
    ) -> RequestWithdrawalPayload:
        outcome = await money.withdraw(info.context, input.amount, input.currency.value, input.idempotency_key)
        return RequestWithdrawalPayload(
            withdrawal=Withdrawal.from_row(outcome.row) if outcome.row else None,
            balance=await _balance(info.context, input.currency.value),
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(
        description="Cancel a REQUESTED withdrawal; its money comes back through the ledger. Scope: finance:write."
    )
    async def cancel_withdrawal(self, info: Info[Context, None], id: strawberry.ID) -> CancelWithdrawalPayload:
        outcome = await money.cancel(info.context, id)
        row = outcome.row
        return CancelWithdrawalPayload(
            withdrawal=Withdrawal.from_row(row) if row else None,
            balance=await _balance(info.context, row.currency if row else None),
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(
        description="Advance pending money to available, for a fee (GATEWAY_PREPAYMENT_FEE_PERCENT). "
        "Scope: finance:write."
    )
    async def request_prepayment(
        self, info: Info[Context, None], input: RequestPrepaymentInput
    ) -> RequestPrepaymentPayload:
        outcome = await money.prepay(info.context, input.amount, input.currency.value, input.idempotency_key)
        return RequestPrepaymentPayload(
            prepayment=Prepayment.from_row(outcome.row) if outcome.row else None,
            balance=await _balance(info.context, input.currency.value),
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(
        description="Approve a REQUESTED refund: the sale becomes REFUNDED or PARTIALLY_REFUNDED and a REFUND entry "
        "debits the producer's share, even past the available balance (which may then go negative). "
        "Scope: refunds:write."
    )
    async def approve_refund(self, info: Info[Context, None], id: strawberry.ID) -> RefundPayload:
        outcome = await decisions.approve(info.context, id)
        return RefundPayload(
            refund=Refund.from_row(outcome.row) if outcome.row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(description="Deny a REQUESTED refund, saying why. Scope: refunds:write.")
    async def deny_refund(self, info: Info[Context, None], id: strawberry.ID, reason: str) -> RefundPayload:
        outcome = await decisions.deny(info.context, id, reason)
        return RefundPayload(
            refund=Refund.from_row(outcome.row) if outcome.row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(
        description="Cancel a STARTED, ACTIVE, DELAYED or OVERDUE subscription as the seller. "
        "Scope: subscriptions:write."
    )
    async def cancel_subscription(
        self, info: Info[Context, None], id: strawberry.ID, reason: str | None = None
    ) -> SubscriptionPayload:
        outcome = await decisions.cancel_subscription_by_seller(info.context, id, reason)
        row = outcome.row
        return SubscriptionPayload(
            subscription=Subscription.from_row(row) if row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(
        description="Reactivate a subscription the seller cancelled, or an INACTIVE one. Scope: subscriptions:write."
    )
    async def reactivate_subscription(self, info: Info[Context, None], id: strawberry.ID) -> SubscriptionPayload:
        outcome = await decisions.reactivate(info.context, id)
        row = outcome.row
        return SubscriptionPayload(
            subscription=Subscription.from_row(row) if row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(
        description="Approve a PENDING affiliation, optionally setting its commission (percent, 0.01 to 90.00). "
        "Scope: affiliations:write."
    )
    async def approve_affiliation(
        self, info: Info[Context, None], id: strawberry.ID, commission_rate: Decimal | None = None
    ) -> AffiliationPayload:
        outcome = await decisions.decide_affiliation_status(info.context, id, "ACTIVE", rate=commission_rate)
        row = outcome.row
        return AffiliationPayload(
            affiliation=Affiliation.from_row(row) if row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(description="Reject a PENDING affiliation. Scope: affiliations:write.")
    async def reject_affiliation(
        self, info: Info[Context, None], id: strawberry.ID, reason: str | None = None
    ) -> AffiliationPayload:
        outcome = await decisions.decide_affiliation_status(info.context, id, "REJECTED", reason=reason)
        row = outcome.row
        return AffiliationPayload(
            affiliation=Affiliation.from_row(row) if row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(description="Block a PENDING or ACTIVE affiliation. Scope: affiliations:write.")
    async def block_affiliation(
        self, info: Info[Context, None], id: strawberry.ID, reason: str | None = None
    ) -> AffiliationPayload:
        outcome = await decisions.decide_affiliation_status(info.context, id, "BLOCKED", reason=reason)
        row = outcome.row
        return AffiliationPayload(
            affiliation=Affiliation.from_row(row) if row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(description="Accept a PENDING receipt you RECEIVED. Scope: finance:write.")
    async def accept_receipt(self, info: Info[Context, None], id: strawberry.ID) -> ReceiptPayload:
        outcome = await decisions.decide(info.context, id, accept=True, reason=None)
        return ReceiptPayload(
            receipt=Receipt.from_row(outcome.row) if outcome.row else None, user_errors=user_errors(outcome)
        )

    @strawberry.mutation(description="Reject a PENDING receipt you RECEIVED, saying why. Scope: finance:write.")
    async def reject_receipt(self, info: Info[Context, None], id: strawberry.ID, reason: str) -> ReceiptPayload:
        outcome = await decisions.decide(info.context, id, accept=False, reason=reason)
        return ReceiptPayload(
            receipt=Receipt.from_row(outcome.row) if outcome.row else None, user_errors=user_errors(outcome)
        )


class ReadCommittedForMutations(SchemaExtension):
    """A mutation request reads committed data, so the payloads show what its writes committed."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type == OperationType.MUTATION:
            context = self.execution_context.context
            if isinstance(context, Context):
                context.db.snapshot = False
        yield
