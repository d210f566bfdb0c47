"""The ledger: balances per currency, the statement, and each entry's running balance."""

from __future__ import annotations

from loaders.finance.ledger import STATEMENT, BalanceAfterLoader, BalanceRow, StatementEntryRow
from loaders.finance.ledger import balances as ledger_balances
from loaders.where import Filters
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.relations import Relation
from resolvers.scopes import require_scope

# the total balance of the entry's currency right after it (batched over the page)
BALANCE_AFTER = Relation("balance", BalanceAfterLoader, "id")


async def balances(context: Context) -> list[BalanceRow]:
    require_scope(context.principal, "finance:read")
    return await ledger_balances(context.db)


async def statement(
    context: Context, filters: Filters, window: Window, order: str | None = None
) -> ListPage[StatementEntryRow]:
    """The ledger, newest first; each entry with the balance right after it. Scope: finance:read."""
    return await list_page(context, STATEMENT, filters, window, scope="finance:read", order=order)


async def balance_in(context: Context, currency: str) -> BalanceRow | None:
    """The balance of one currency as committed now (mutation requests read committed data)."""
    return next((row for row in await ledger_balances(context.db) if row.currency == currency), None)
