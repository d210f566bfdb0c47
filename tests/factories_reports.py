"""Rows for the report and strategy tests, through a plain owner connection (it bypasses RLS)."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

from tests.factories import Seller, make_sale

_counter = itertools.count(1)

MADE = ("APPROVED", "COMPLETE")


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


async def make_product_in(
    connection: asyncpg.Connection, producer_id: int, *, currency: str = "BRL", price: str = "97.00"
) -> int:
    n = next(_counter)
    return int(
        await connection.fetchval(
            "insert into products (producer_id, name, kind, price, currency) "
            "values ($1, $2, 'EBOOK', $3, $4) returning id",
            producer_id,
            f"Report product {n}",
            Decimal(price),
            currency,
        )
    )


async def make_report_sale(
    connection: asyncpg.Connection, seller: Seller, *, fees: str = "0.00", **columns: Any
) -> int:
    """A sale with every column the reports group by (`make_sale`'s), without fees unless given."""
    return await make_sale(connection, seller, fees=fees, **columns)


async def make_report_lost_sale(
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


async def make_subscription(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    started_at: datetime,
    cancelled_at: datetime | None = None,
    status: str | None = None,
    price: str = "29.90",
    currency: str = "BRL",
) -> int:
    chosen = status or ("CANCELLED_BY_CUSTOMER" if cancelled_at is not None else "ACTIVE")
    return int(
        await connection.fetchval(
            """
            insert into subscriptions (producer_id, buyer_id, product_id, plan_name, price, currency, status,
                                       started_at, cancelled_at)
            values ($1, $2, $3, 'Monthly', $4, $5, $6, $7, $8)
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
        )
    )
