"""Subscriptions of the seller's buyer to its product."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import asyncpg

from tests.factories.producers import Seller


async def make_subscription(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    started_at: datetime,
    status: str | None = None,
    cancelled_at: datetime | None = None,
    price: str = "29.90",
    currency: str = "BRL",
    billing_months: int = 1,
) -> int:
    """A subscription (monthly unless `billing_months` says otherwise) of the seller's buyer to its product, never charged yet (recurrence 0).

    The status is ACTIVE, or CANCELLED_BY_CUSTOMER when `cancelled_at` is given; a cancelled status given
    without `cancelled_at` is cancelled when it started.
    """
    chosen = status or ("CANCELLED_BY_CUSTOMER" if cancelled_at is not None else "ACTIVE")
    if cancelled_at is None and chosen.startswith("CANCELLED"):
        cancelled_at = started_at
    return int(
        await connection.fetchval(
            """
            insert into subscriptions (producer_id, buyer_id, product_id, plan_name, price, currency, status,
                                       started_at, cancelled_at, recurrence, billing_months)
            values ($1, $2, $3, 'Monthly', $4, $5, $6, $7, $8, 0, $9)
            returning id
            """,
            seller.id,
            seller.buyer_id,
            seller.product_id,
            Decimal(price),
            currency,
            chosen,
            started_at,
            cancelled_at,
            billing_months,
        )
    )
