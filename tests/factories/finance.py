"""The finance domain: ledger entries, withdrawals, prepayments, receipts, and a seller with money."""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg

from tests.factories.producers import Seller, make_seller

_counter = itertools.count(1)


async def make_entry(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    kind: str,
    amount: str,
    occurred_at: datetime,
    available_at: datetime | None = None,
    currency: str = "BRL",
    blocked_amount: str = "0.00",
    description: str | None = None,
    sale_id: int | None = None,
    withdrawal_id: int | None = None,
    prepayment_id: int | None = None,
) -> int:
    """One ledger line; `available_at` defaults to `occurred_at`."""
    return int(
        await connection.fetchval(
            """
            insert into statement_entries (producer_id, kind, currency, amount, blocked_amount, description,
                                           sale_id, withdrawal_id, prepayment_id, occurred_at, available_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            returning id
            """,
            seller.id,
            kind,
            currency,
            Decimal(amount),
            Decimal(blocked_amount),
            description or f"{kind.lower()} {next(_counter)}",
            sale_id,
            withdrawal_id,
            prepayment_id,
            occurred_at,
            available_at or occurred_at,
        )
    )


async def make_withdrawal(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    requested_at: datetime,
    amount: str = "100.00",
    currency: str = "BRL",
    status: str = "REQUESTED",
    paid_at: datetime | None = None,
    failure_reason: str | None = None,
) -> int:
    """A withdrawal; a PAID one is paid an hour after `requested_at` unless `paid_at` says otherwise."""
    n = next(_counter)
    if status == "PAID" and paid_at is None:
        paid_at = requested_at + timedelta(hours=1)
    return int(
        await connection.fetchval(
            """
            insert into withdrawals (producer_id, amount, currency, status, idempotency_key, request_hash,
                                     requested_at, paid_at, failure_reason)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            returning id
            """,
            seller.id,
            Decimal(amount),
            currency,
            status,
            f"withdrawal-{n}",
            hashlib.sha256(f"withdrawal-{n}".encode()).digest(),
            requested_at,
            paid_at if status == "PAID" else None,
            failure_reason,
        )
    )


async def make_prepayment(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    created_at: datetime,
    amount: str = "500.00",
    fee: str = "12.50",
    currency: str = "BRL",
    status: str = "APPROVED",
) -> int:
    n = next(_counter)
    return int(
        await connection.fetchval(
            """
            insert into prepayments (producer_id, amount, fee, currency, status, idempotency_key, request_hash,
                                     created_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8)
            returning id
            """,
            seller.id,
            Decimal(amount),
            Decimal(fee),
            currency,
            status,
            f"prepayment-{n}",
            hashlib.sha256(f"prepayment-{n}".encode()).digest(),
            created_at,
        )
    )


async def make_receipt(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    affiliate_id: int,
    issued_at: datetime,
    period_from: date,
    period_to: date,
    direction: str = "RECEIVED",
    status: str = "PENDING",
    amount: str = "45.00",
    currency: str = "BRL",
) -> int:
    n = next(_counter)
    return int(
        await connection.fetchval(
            """
            insert into receipts (producer_id, number, direction, affiliate_id, amount, currency, status,
                                  period_from, period_to, issued_at, decided_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            returning id
            """,
            seller.id,
            f"R-{seller.id}-{n:06d}",
            direction,
            affiliate_id,
            Decimal(amount),
            currency,
            status,
            period_from,
            period_to,
            issued_at,
            None if status == "PENDING" else issued_at,
        )
    )


async def make_funded_seller(connection: asyncpg.Connection, scopes: list[str] | None = None) -> Seller:
    """1,000.00 BRL available, 500.00 BRL pending (300 in 5 days, 200 in 20), 50.00 USD available."""
    seller = await make_seller(connection, scopes=scopes)
    now = datetime.now(UTC)
    for amount, kind, currency, days_until_available in (
        ("1200.00", "SALE", "BRL", -1),
        ("-200.00", "FEE", "BRL", -1),
        ("300.00", "SALE", "BRL", 5),
        ("200.00", "SALE", "BRL", 20),
        ("50.00", "SALE", "USD", -1),
    ):
        await make_entry(
            connection,
            seller,
            kind=kind,
            amount=amount,
            currency=currency,
            description="test money",
            occurred_at=now - timedelta(days=40),
            available_at=now + timedelta(days=days_until_available),
        )
    return seller
