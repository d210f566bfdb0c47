"""Withdrawals and prepayments: money leaving, or arriving early."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from gateway.context import Context
from loaders.balances import BalanceRow, balances
from loaders.finance import PrepaymentRow, WithdrawalRow
from loaders.money_writes import cancel_withdrawal, request_prepayment, request_withdrawal
from loaders.writes import Outcome
from resolvers.mutations.common import audited_write, idempotency_key, money_amount, request_hash, target_pk


async def withdraw(context: Context, amount: Decimal, currency: str, key: str) -> Outcome[WithdrawalRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[WithdrawalRow]:
        exact = money_amount(amount)
        checked_key = idempotency_key(key)
        digest = request_hash("withdrawal", exact, currency)
        return await request_withdrawal(connection, context.producer_id, exact, currency, checked_key, digest)

    arguments = {"amount": str(amount), "currency": currency, "idempotencyKey": key}
    return await audited_write(context, "finance:write", "requestWithdrawal", arguments, "Withdrawal", write)


async def cancel(context: Context, withdrawal_id: str) -> Outcome[WithdrawalRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[WithdrawalRow]:
        return await cancel_withdrawal(connection, context.producer_id, target_pk(withdrawal_id, "Withdrawal"))

    arguments = {"id": withdrawal_id}
    return await audited_write(context, "finance:write", "cancelWithdrawal", arguments, "Withdrawal", write)


async def prepay(context: Context, amount: Decimal, currency: str, key: str) -> Outcome[PrepaymentRow]:
    fee_percent = context.settings.prepayment_fee_percent

    async def write(connection: asyncpg.Connection) -> Outcome[PrepaymentRow]:
        exact = money_amount(amount)
        checked_key = idempotency_key(key)
        digest = request_hash("prepayment", exact, currency)
        return await request_prepayment(
            connection, context.producer_id, exact, currency, checked_key, digest, fee_percent
        )

    arguments = {"amount": str(amount), "currency": currency, "idempotencyKey": key}
    return await audited_write(context, "finance:write", "requestPrepayment", arguments, "Prepayment", write)


async def balance_in(context: Context, currency: str) -> BalanceRow | None:
    """The balance of one currency as committed now (mutation requests read committed data)."""
    return next((row for row in await balances(context.db) if row.currency == currency), None)
