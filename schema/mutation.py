"""The root Mutation type: every change a producer can make, each answering with the changed objects and
`userErrors` (expected failures are data, never GraphQL errors). Each field is declared in its domain's module;
here it takes its place and its type."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers.context import Context
from schema.affiliations import AffiliationPayload, approve_affiliation, block_affiliation, reject_affiliation
from schema.finance.payouts import (
    CancelWithdrawalPayload,
    RequestPrepaymentPayload,
    RequestWithdrawalPayload,
    cancel_withdrawal,
    request_prepayment,
    request_withdrawal,
)
from schema.finance.receipts import ReceiptPayload, accept_receipt, reject_receipt
from schema.refunds import RefundPayload, approve_refund, deny_refund
from schema.subscriptions import SubscriptionPayload, cancel_subscription, reactivate_subscription


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


class ReadCommittedForMutations(SchemaExtension):
    """A mutation request reads committed data, so the payloads show what its writes committed."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type == OperationType.MUTATION:
            context = self.execution_context.context
            if isinstance(context, Context):
                context.db.snapshot = False
        yield
