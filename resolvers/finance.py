"""Money held for the producer: balances, statement, withdrawals, prepayments, receipts."""

from __future__ import annotations

from decimal import Decimal

from gateway.context import Context
from loaders.balances import BalanceAfterLoader, BalanceRow
from loaders.balances import balances as ledger_balances
from loaders.catalog import AffiliateRow
from loaders.finance import (
    PREPAYMENTS_ORDER,
    RECEIPTS_ORDER,
    STATEMENT_ORDER,
    WITHDRAWALS_ORDER,
    PrepaymentRow,
    ReceiptFilterSpec,
    ReceiptRow,
    StatementEntryRow,
    StatementFilterSpec,
    WithdrawalByIdLoader,
    WithdrawalFilterSpec,
    WithdrawalRow,
    count_prepayments,
    count_receipts,
    count_statement_entries,
    count_withdrawals,
    prepayments_page,
    receipts_page,
    statement_page,
    withdrawals_page,
)
from loaders.paging import Page
from loaders.sales import SaleRow
from resolvers import catalog as catalog_resolvers
from resolvers import sales as sales_resolvers
from resolvers.catalog import MissingRowError
from resolvers.pagination import Window, order_name, page_request

STATEMENT_ORDER_NAME = order_name("statement", STATEMENT_ORDER)
WITHDRAWALS_ORDER_NAME = order_name("withdrawals", WITHDRAWALS_ORDER)
PREPAYMENTS_ORDER_NAME = order_name("prepayments", PREPAYMENTS_ORDER)
RECEIPTS_ORDER_NAME = order_name("receipts", RECEIPTS_ORDER)


async def balances(context: Context) -> list[BalanceRow]:
    return await ledger_balances(context.db)


# ---- statement --------------------------------------------------------------------------------------------


async def statement(context: Context, spec: StatementFilterSpec, window: Window) -> Page[StatementEntryRow]:
    request = page_request(STATEMENT_ORDER_NAME, "datetime", **window.arguments())
    return await statement_page(context.db, spec, request)


async def statement_count(context: Context, spec: StatementFilterSpec) -> int:
    return await count_statement_entries(context.db, spec)


async def balance_after(context: Context, entry_id: int) -> Decimal:
    """The running balance of the entry's currency right after it (batched over the page)."""
    balance = await context.loaders.get(BalanceAfterLoader).load(entry_id)
    if balance is None:
        raise MissingRowError(f"statement entry {entry_id}")
    return balance


async def sale_of_entry(context: Context, row: StatementEntryRow) -> SaleRow | None:
    return await sales_resolvers.sale_of(context, row.sale_id) if row.sale_id is not None else None


async def withdrawal_of_entry(context: Context, row: StatementEntryRow) -> WithdrawalRow | None:
    if row.withdrawal_id is None:
        return None
    withdrawal = await context.loaders.get(WithdrawalByIdLoader).load(row.withdrawal_id)
    if withdrawal is None:
        raise MissingRowError(f"withdrawal {row.withdrawal_id}")
    return withdrawal


# ---- withdrawals, prepayments, receipts -------------------------------------------------------------------


async def withdrawals(context: Context, spec: WithdrawalFilterSpec, window: Window) -> Page[WithdrawalRow]:
    request = page_request(WITHDRAWALS_ORDER_NAME, "datetime", **window.arguments())
    return await withdrawals_page(context.db, spec, request)


async def withdrawals_count(context: Context, spec: WithdrawalFilterSpec) -> int:
    return await count_withdrawals(context.db, spec)


async def prepayments(context: Context, window: Window) -> Page[PrepaymentRow]:
    request = page_request(PREPAYMENTS_ORDER_NAME, "datetime", **window.arguments())
    return await prepayments_page(context.db, request)


async def prepayments_count(context: Context) -> int:
    return await count_prepayments(context.db)


async def receipts(context: Context, spec: ReceiptFilterSpec, window: Window) -> Page[ReceiptRow]:
    request = page_request(RECEIPTS_ORDER_NAME, "datetime", **window.arguments())
    return await receipts_page(context.db, spec, request)


async def receipts_count(context: Context, spec: ReceiptFilterSpec) -> int:
    return await count_receipts(context.db, spec)


async def receipt_affiliate(context: Context, row: ReceiptRow) -> AffiliateRow:
    affiliate = await catalog_resolvers.affiliate(context, row.affiliate_id)
    if affiliate is None:
        raise MissingRowError(f"affiliate {row.affiliate_id}")
    return affiliate
