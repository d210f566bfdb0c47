"""Affiliations: an affiliate's application to promote a product, and its decision."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import asyncpg


async def make_affiliation(
    connection: asyncpg.Connection,
    producer_id: int,
    *,
    affiliate_id: int,
    product_id: int,
    status: str = "ACTIVE",
    applied_at: datetime,
    commission_rate: str = "30.00",
) -> int:
    """An affiliation applied for at `applied_at` and, unless PENDING, decided then too."""
    return int(
        await connection.fetchval(
            """
            insert into affiliations (producer_id, affiliate_id, product_id, status, commission_rate, applied_at,
                                      decided_at)
            values ($1, $2, $3, $4, $5, $6, case when $4::text = 'PENDING' then null else $6::timestamptz end)
            returning id
            """,
            producer_id,
            affiliate_id,
            product_id,
            status,
            Decimal(commission_rate),
            applied_at,
        )
    )
