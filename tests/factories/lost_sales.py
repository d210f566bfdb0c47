"""Lost sales: failed or abandoned purchase attempts, recovered or not."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import asyncpg

from tests.factories.producers import Seller


async def make_lost_sale(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    created_at: datetime,
    amount: str = "100.00",
    currency: str = "BRL",
    buyer_id: int | None = None,
    product_id: int | None = None,
    recovered_sale_id: int | None = None,
    reason: str = "ABANDONED_CHECKOUT",
    payment_method: str | None = None,
    source: str | None = None,
) -> int:
    """A lost sale of the seller's product by its buyer unless others are named."""
    return int(
        await connection.fetchval(
            """
            insert into lost_sales (producer_id, reason, product_id, buyer_id, currency, amount, payment_method,
                                    source, created_at, recovered_sale_id)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            returning id
            """,
            seller.id,
            reason,
            product_id or seller.product_id,
            buyer_id or seller.buyer_id,
            currency,
            Decimal(amount),
            payment_method,
            source,
            created_at,
            recovered_sale_id,
        )
    )
