"""Refunds of sales."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import asyncpg

from tests.factories.producers import Seller


async def make_refund(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    sale_id: int,
    requested_at: datetime,
    status: str = "APPROVED",
    amount: str = "10.00",
    currency: str = "BRL",
) -> int:
    """A refund of the sale; decided (resolved) when requested unless it is still REQUESTED."""
    return int(
        await connection.fetchval(
            """
            insert into refunds (producer_id, sale_id, amount, currency, status, requested_at, resolved_at)
            values ($1, $2, $3, $4, $5, $6, case when $5::text = 'REQUESTED' then null else $6::timestamptz end)
            returning id
            """,
            seller.id,
            sale_id,
            Decimal(amount),
            currency,
            status,
            requested_at,
        )
    )
