"""The root Mutation type: every change a producer can make, each answering with the changed objects and
`userErrors` (expected failures are data, never GraphQL errors). The fields are declared in their domains."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from resolvers.context import Context
from schema.affiliations import AffiliationsMutation
from schema.finance.payouts import PayoutsMutation
from schema.finance.receipts import ReceiptsMutation
from schema.refunds import RefundsMutation
from schema.subscriptions import SubscriptionsMutation


@strawberry.type
class Mutation(PayoutsMutation, RefundsMutation, SubscriptionsMutation, AffiliationsMutation, ReceiptsMutation):
    """Every change of the API."""


class ReadCommittedForMutations(SchemaExtension):
    """A mutation request reads committed data, so the payloads show what its writes committed."""

    def on_execute(self) -> Iterator[None]:
        if self.execution_context.operation_type == OperationType.MUTATION:
            context = self.execution_context.context
            if isinstance(context, Context):
                context.db.snapshot = False
        yield
