"""Withdrawals and prepayments: their lists, and money leaving or arriving early."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from loaders.finance import payouts as payout_store
from loaders.finance.payouts import (
    PREPAYMENTS,
    WITHDRAWALS,
    MoneyRequest,
    PrepaymentRow,
    WithdrawalByIdLoader,
    WithdrawalRow,
)
from loaders.where import Filters
from loaders.writes import Outcome
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.mutations import RowChange, audited_write, idempotency_key, money_amount, request_hash
from resolvers.relations import Relation

WITHDRAWAL = Relation("Withdrawal", WithdrawalByIdLoader, "withdrawal_id")  # of a statement entry


async def withdrawals(
    context: Context, filters: Filters, window: Window, order: str | None = None
) -> ListPage[WithdrawalRow]:
    """Withdrawals, newest request first. Scope: finance:read."""
    return await list_page(context, WITHDRAWALS, filters, window, scope="finance:read", order=order)


async def prepayments(
    context: Context, filters: Filters, window: Window, order: str | None = None
) -> ListPage[PrepaymentRow]:
    """Prepayments (advances on pending money), newest first. Scope: finance:read."""
    return await list_page(context, PREPAYMENTS, filters, window, scope="finance:read", order=order)


async def request_withdrawal(context: Context, amount: Decimal, currency: str, key: str) -> Outcome[WithdrawalRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[WithdrawalRow]:
        request = _money_request("withdrawal", amount, currency, key)
        return await payout_store.request_withdrawal(connection, context.producer_id, request)

    arguments = {"amount": str(amount), "currency": currency, "idempotencyKey": key}
    return await audited_write(context, "finance:write", "requestWithdrawal", arguments, "Withdrawal", write)


CANCEL_WITHDRAWAL = RowChange("finance:write", "cancelWithdrawal", "Withdrawal")


async def cancel_withdrawal(context: Context, withdrawal_id: str) -> Outcome[WithdrawalRow]:
    return await CANCEL_WITHDRAWAL.run(context, withdrawal_id, payout_store.cancel_withdrawal)


async def request_prepayment(context: Context, amount: Decimal, currency: str, key: str) -> Outcome[PrepaymentRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[PrepaymentRow]:
        request = _money_request("prepayment", amount, currency, key)
        fee_percent = context.prepayment_fee_percent
        return await payout_store.request_prepayment(connection, context.producer_id, request, fee_percent)

    arguments = {"amount": str(amount), "currency": currency, "idempotencyKey": key}
    return await audited_write(context, "finance:write", "requestPrepayment", arguments, "Prepayment", write)


def _money_request(kind: str, amount: Decimal, currency: str, key: str) -> MoneyRequest:
    """The checked request (a positive amount in cents, a usable key), with the hash telling it from another."""
    exact, checked_key = money_amount(amount), idempotency_key(key)
    return MoneyRequest(exact, currency, checked_key, request_hash(kind, exact, currency))
