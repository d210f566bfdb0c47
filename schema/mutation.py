"""The root Mutation type: every change a producer can make, each answering with the changed objects and
`userErrors` (expected failures are data, never GraphQL errors). Each field is declared in its domain's module;
here it takes its place and its type."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Any, TypeVar

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types import Info
from strawberry.types.graphql import OperationType

from loaders.writes import Outcome
from resolvers import affiliations as affiliations_resolvers
from resolvers import refunds as refunds_resolvers
from resolvers import subscriptions as subscriptions_resolvers
from resolvers import webhooks as webhooks_resolvers
from resolvers.context import Context
from resolvers.finance import ledger as ledger_resolvers
from resolvers.finance import payouts as payouts_resolvers
from resolvers.finance import receipts as receipts_resolvers
from schema.affiliations import Affiliation
from schema.cost import MUTATION, cost
from schema.finance.ledger import Balance
from schema.finance.payouts import Prepayment, RequestPrepaymentInput, RequestWithdrawalInput, Withdrawal
from schema.finance.receipts import Receipt
from schema.payloads import Payload, UserError
from schema.refunds import Refund
from schema.subscriptions import Subscription
from schema.webhooks import (
    CreateWebhookSubscriptionInput,
    CreateWebhookSubscriptionPayload,
    DeleteWebhookSubscriptionPayload,
    RedeliverWebhookPayload,
)

P = TypeVar("P", bound=Payload)


async def _with_balance(payload: type[P], context: Context, outcome: Outcome[Any], currency: str | None) -> P:
    """A money mutation's payload: what it changed, and the balance it leaves in the currency (as committed)."""
    row = await ledger_resolvers.balance_in(context, currency) if currency is not None else None
    return payload.of(outcome, balance=Balance.from_row(row) if row else None)


async def _money_request(
    payload: type[P],
    request: Callable[[Context, Decimal, str, str], Awaitable[Outcome[Any]]],
    context: Context,
    asked: RequestWithdrawalInput | RequestPrepaymentInput,
) -> P:
    """Request a withdrawal or a prepayment, and answer with the balance it leaves."""
    currency = asked.currency.name
    outcome = await request(context, asked.amount, currency, asked.idempotency_key)
    return await _with_balance(payload, context, outcome, currency)


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


@strawberry.type
class RefundPayload(Payload):
    refund: Refund | None
    user_errors: list[UserError]


@strawberry.type
class SubscriptionPayload(Payload):
    subscription: Subscription | None
    user_errors: list[UserError]


@strawberry.type
class AffiliationPayload(Payload):
    affiliation: Affiliation | None
    user_errors: list[UserError]


@strawberry.type
class ReceiptPayload(Payload):
    receipt: Receipt | None
    user_errors: list[UserError]


@strawberry.mutation(metadata=cost(MUTATION), description="Withdraw available money. Scope: finance:write.")
async def request_withdrawal(info: Info[Context, None], input: RequestWithdrawalInput) -> RequestWithdrawalPayload:
    return await _money_request(RequestWithdrawalPayload, payouts_resolvers.request_withdrawal, info.context, input)


@strawberry.mutation(
    metadata=cost(MUTATION),
    description="Cancel a REQUESTED withdrawal; its money comes back through the ledger. Scope: finance:write.",
)
async def cancel_withdrawal(info: Info[Context, None], id: strawberry.ID) -> CancelWithdrawalPayload:
    outcome = await payouts_resolvers.cancel_withdrawal(info.context, id)
    currency = outcome.row.currency if outcome.row else None
    return await _with_balance(CancelWithdrawalPayload, info.context, outcome, currency)


@strawberry.mutation(
    metadata=cost(MUTATION),
    description="Advance pending money to available, for a fee (GATEWAY_PREPAYMENT_FEE_PERCENT). Scope: finance:write.",
)
async def request_prepayment(info: Info[Context, None], input: RequestPrepaymentInput) -> RequestPrepaymentPayload:
    return await _money_request(RequestPrepaymentPayload, payouts_resolvers.request_prepayment, info.context, input)


@strawberry.mutation(
    metadata=cost(MUTATION),
    description="Approve a REQUESTED refund: the sale becomes REFUNDED or PARTIALLY_REFUNDED and a REFUND entry "
    "debits the producer's share from where the sale's money is (pending until the sale's release date), "
    "even past the balance (which may then go negative). "
    "Scope: refunds:write.",
)
async def approve_refund(info: Info[Context, None], id: strawberry.ID) -> RefundPayload:
    return RefundPayload.of(await refunds_resolvers.approve_refund(info.context, id))


@strawberry.mutation(metadata=cost(MUTATION), description="Deny a REQUESTED refund, saying why. Scope: refunds:write.")
async def deny_refund(info: Info[Context, None], id: strawberry.ID, reason: str) -> RefundPayload:
    return RefundPayload.of(await refunds_resolvers.deny_refund(info.context, id, reason))


@strawberry.mutation(
    metadata=cost(MUTATION),
    description="Cancel a STARTED, ACTIVE, DELAYED or OVERDUE subscription as the seller. Scope: subscriptions:write.",
)
async def cancel_subscription(
    info: Info[Context, None], id: strawberry.ID, reason: str | None = None
) -> SubscriptionPayload:
    return SubscriptionPayload.of(await subscriptions_resolvers.cancel_subscription(info.context, id, reason))


@strawberry.mutation(
    metadata=cost(MUTATION),
    description="Reactivate a subscription the seller cancelled, or an INACTIVE one. Scope: subscriptions:write.",
)
async def reactivate_subscription(info: Info[Context, None], id: strawberry.ID) -> SubscriptionPayload:
    return SubscriptionPayload.of(await subscriptions_resolvers.reactivate_subscription(info.context, id))


@strawberry.mutation(
    metadata=cost(MUTATION),
    description="Approve a PENDING affiliation, optionally setting its commission (percent, 0.01 to 90.00). "
    "Scope: affiliations:write.",
)
async def approve_affiliation(
    info: Info[Context, None], id: strawberry.ID, commission_rate: Decimal | None = None
) -> AffiliationPayload:
    return AffiliationPayload.of(await affiliations_resolvers.approve_affiliation(info.context, id, commission_rate))


@strawberry.mutation(metadata=cost(MUTATION), description="Reject a PENDING affiliation. Scope: affiliations:write.")
async def reject_affiliation(
    info: Info[Context, None], id: strawberry.ID, reason: str | None = None
) -> AffiliationPayload:
    return AffiliationPayload.of(await affiliations_resolvers.reject_affiliation(info.context, id, reason))


@strawberry.mutation(
    metadata=cost(MUTATION), description="Block a PENDING or ACTIVE affiliation. Scope: affiliations:write."
)
async def block_affiliation(
    info: Info[Context, None], id: strawberry.ID, reason: str | None = None
) -> AffiliationPayload:
    return AffiliationPayload.of(await affiliations_resolvers.block_affiliation(info.context, id, reason))


@strawberry.mutation(
    metadata=cost(MUTATION), description="Accept a PENDING receipt you RECEIVED. Scope: finance:write."
)
async def accept_receipt(info: Info[Context, None], id: strawberry.ID) -> ReceiptPayload:
    return ReceiptPayload.of(await receipts_resolvers.accept_receipt(info.context, id))


@strawberry.mutation(
    metadata=cost(MUTATION), description="Reject a PENDING receipt you RECEIVED, saying why. Scope: finance:write."
)
async def reject_receipt(info: Info[Context, None], id: strawberry.ID, reason: str) -> ReceiptPayload:
    return ReceiptPayload.of(await receipts_resolvers.reject_receipt(info.context, id, reason))


@strawberry.mutation(
    metadata=cost(MUTATION),
    description="A webhook endpoint for these event types; its signing secret is in the answer, and only there. "
    "Scope: webhooks:write.",
)
async def create_webhook_subscription(
    info: Info[Context, None], input: CreateWebhookSubscriptionInput
) -> CreateWebhookSubscriptionPayload:
    outcome, secret = await webhooks_resolvers.create_webhook_subscription(info.context, input.url, input.topics)
    return CreateWebhookSubscriptionPayload.of(outcome, secret=secret)


@strawberry.mutation(
    metadata=cost(MUTATION), description="Delete a webhook endpoint and its deliveries. Scope: webhooks:write."
)
async def delete_webhook_subscription(info: Info[Context, None], id: strawberry.ID) -> DeleteWebhookSubscriptionPayload:
    return DeleteWebhookSubscriptionPayload.of(await webhooks_resolvers.delete_webhook_subscription(info.context, id))


@strawberry.mutation(
    metadata=cost(MUTATION),
    description="Post a delivery again as soon as a worker can, whatever became of it. Scope: webhooks:write.",
)
async def redeliver_webhook(info: Info[Context, None], id: strawberry.ID) -> RedeliverWebhookPayload:
    return RedeliverWebhookPayload.of(await webhooks_resolvers.redeliver_webhook(info.context, id))


@strawberry.type
class Mutation:
    request_withdrawal: RequestWithdrawalPayload = request_withdrawal
    cancel_withdrawal: CancelWithdrawalPayload = cancel_withdrawal
    request_prepayment: RequestPrepaymentPayload = request_prepayment
    approve_refund: RefundPayload = approve_refund
    deny_refund: RefundPayload = deny_refund
    cancel_subscription: SubscriptionPayload = cancel_subscription
    reactivate_subscription: SubscriptionPayload = reactivate_subscription
    approve_affiliation: AffiliationPayload = approve_affiliation
    reject_affiliation: AffiliationPayload = reject_affiliation
    block_affiliation: AffiliationPayload = block_affiliation
    accept_receipt: ReceiptPayload = accept_receipt
    reject_receipt: ReceiptPayload = reject_receipt
    create_webhook_subscription: CreateWebhookSubscriptionPayload = create_webhook_subscription
    delete_webhook_subscription: DeleteWebhookSubscriptionPayload = delete_webhook_subscription
    redeliver_webhook: RedeliverWebhookPayload = redeliver_webhook


class ReadCommittedForMutations(SchemaExtension):
    """A mutation request reads committed data, so the payloads show what its writes committed."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type == OperationType.MUTATION:
            context = self.execution_context.context
            if isinstance(context, Context):
                context.db.snapshot = False
        yield
