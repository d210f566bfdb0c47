"""The ledger: balances per currency, and the statement with each entry's running balance."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from loaders.finance.ledger import StatementEntryRow
from resolvers import sales as sales_resolvers
from resolvers.finance import ledger as ledger_resolvers
from resolvers.finance import payouts as payouts_resolvers
from resolvers.ids import cache_id
from schema.common import Money, Node
from schema.enums import CurrencyCode, OrderDirection, StatementEntryKind, StatementOrderField
from schema.filters import UPDATED_AT, OrderName, updated_since
from schema.relations import relation
from schema.rows import FromRow, node_type, row_type
from schema.sales import Sale

if TYPE_CHECKING:
    from schema.finance.payouts import Withdrawal


@row_type(id=lambda row: cache_id("Balance", row.producer_id, row.currency))
@strawberry.type(description="Money held in one currency: available + pending + blocked = total. Scope: finance:read.")
class Balance(FromRow):
    id: strawberry.ID = strawberry.field(
        description="Stable and unique (the producer and the currency): the key client caches keep a balance "
        "by, so that the balance a mutation returns updates the one `balances` returned. Not a Node id."
    )
    currency: CurrencyCode
    available: Money = strawberry.field(description="Can be withdrawn now.")
    pending: Money = strawberry.field(description="Released later, after the guarantee period.")
    blocked: Money = strawberry.field(description="Held for disputes and chargebacks.")
    total: Money


@strawberry.input(description="The order of the list: by one of its moments, either way.")
class StatementOrder(OrderName):
    field: StatementOrderField
    direction: OrderDirection


@strawberry.input(description="Every condition given must hold. Filters never change `balanceAfter`.")
class StatementFilter:
    kinds: list[StatementEntryKind] | None = None
    currency: CurrencyCode | None = None
    occurred_from: datetime.datetime | None = None
    occurred_to: datetime.datetime | None = strawberry.field(default=None, description="Exclusive.")
    updated_since: datetime.datetime | None = updated_since()


@node_type(StatementEntryRow)
@strawberry.type(description="One line of the ledger the balances are sums of. Scope: finance:read.")
class StatementEntry(Node, FromRow):
    kind: StatementEntryKind
    amount: Money = strawberry.field(description="Signed effect on the total balance.")
    description: str
    occurred_at: datetime.datetime
    available_at: datetime.datetime = strawberry.field(description="When the amount can be withdrawn.")
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)
    row: strawberry.Private[StatementEntryRow]

    balance_after: Money = relation(
        ledger_resolvers.BALANCE_AFTER,
        lambda balance, entry: Money.of(balance, entry.row.currency),
        description="The total balance of this currency right after this entry, over the whole ledger in "
        "(occurredAt, id) order; statement filters do not change it.",
    )
    sale: Sale | None = relation(sales_resolvers.SALE, description="The sale this entry comes from, if any.")
    withdrawal: Annotated[Withdrawal, strawberry.lazy("schema.finance.payouts")] | None = relation(
        payouts_resolvers.WITHDRAWAL, description="The withdrawal this entry pays out, if any."
    )
