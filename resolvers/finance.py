"""Money held for the producer: balances, statement, withdrawals, prepayments, receipts."""

from __future__ import annotations

from gateway.context import Context
from loaders.balances import BalanceRow
from loaders.balances import balances as ledger_balances


async def balances(context: Context) -> list[BalanceRow]:
    return await ledger_balances(context.db)
