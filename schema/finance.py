"""Money held for the producer: balances, statement, withdrawals, prepayments, receipts."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.context import Context
from loaders.balances import BalanceRow
from resolvers import finance as finance_resolvers
from schema.common import CurrencyCode, Money


@strawberry.type(description="Money held in one currency: available + pending + blocked = total. Scope: finance:read.")
class Balance:
    currency: CurrencyCode
    available: Money = strawberry.field(description="Can be withdrawn now.")
    pending: Money = strawberry.field(description="Released later, after the guarantee period.")
    blocked: Money = strawberry.field(description="Held for disputes and chargebacks.")
    total: Money

    @classmethod
    def from_row(cls, row: BalanceRow) -> Balance:
        return cls(
            currency=CurrencyCode(row.currency),
            available=Money.of(row.available, row.currency),
            pending=Money.of(row.pending, row.currency),
            blocked=Money.of(row.blocked, row.currency),
            total=Money.of(row.total, row.currency),
        )


@strawberry.type
class FinanceQuery:
    @strawberry.field(description="One balance per currency the producer holds. Scope: finance:read.")
    async def balances(self, info: Info[Context, None]) -> list[Balance]:
        return [Balance.from_row(row) for row in await finance_resolvers.balances(info.context)]
