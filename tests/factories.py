"""Rows made by hand for tests, through a plain owner connection."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

from loaders.api_keys import create_key

_counter = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Seller:
    """A producer made for one test, with one product, one buyer and an all-scopes key."""

    id: int
    key: str
    product_id: int
    buyer_id: int


async def make_seller(
    connection: asyncpg.Connection, *, time_zone: str = "America/Sao_Paulo", scopes: list[str] | None = None
) -> Seller:
    n = next(_counter)
    producer_id = await connection.fetchval(
        "insert into producers (name, email, time_zone) values ($1, $2, $3) returning id",
        f"Seller {n}",
        f"seller{n}@example.com",
        time_zone,
    )
    product_id = await make_product(connection, producer_id)
    buyer_id = await make_buyer(connection, producer_id)
    key = await create_key(connection, producer_id, name="test", scopes=scopes)
    return Seller(id=producer_id, key=key.secret, product_id=product_id, buyer_id=buyer_id)


async def make_product(connection: asyncpg.Connection, producer_id: int, *, price: str = "97.00") -> int:
    n = next(_counter)
    return int(
        await connection.fetchval(
            "insert into products (producer_id, name, kind, price, currency) "
            "values ($1, $2, 'ONLINE_COURSE', $3, 'BRL') returning id",
            producer_id,
            f"Course {n}",
            Decimal(price),
        )
    )


async def make_buyer(connection: asyncpg.Connection, producer_id: int) -> int:
    n = next(_counter)
    return int(
        await connection.fetchval(
            "insert into buyers (producer_id, name, email) values ($1, $2, $3) returning id",
            producer_id,
            f"Buyer {n}",
            f"buyer{n}@example.com",
        )
    )


async def make_sale(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    created_at: datetime,
    status: str = "APPROVED",
    currency: str = "BRL",
    gross: str = "100.00",
    fees: str = "9.90",
    taxes: str = "0.00",
    buyer_id: int | None = None,
    product_id: int | None = None,
    **columns: Any,
) -> int:
    gross_amount, fee_amount, tax_amount = Decimal(gross), Decimal(fees), Decimal(taxes)
    return int(
        await connection.fetchval(
            """
            insert into sales (producer_id, transaction_code, status, product_id, buyer_id, payment_method,
                               currency, gross_amount, fees, taxes, affiliate_commission, net_amount,
                               created_at, approved_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $8::numeric - $9::numeric - $10::numeric, $11, $12)
            returning id
            """,
            seller.id,
            columns.get("transaction_code", f"TX{next(_counter):09d}"),
            status,
            product_id or seller.product_id,
            buyer_id or seller.buyer_id,
            columns.get("payment_method", "CREDIT_CARD"),
            currency,
            gross_amount,
            fee_amount,
            tax_amount,
            created_at,
            created_at if status in ("APPROVED", "COMPLETE") else None,
        )
    )


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
) -> int:
    return int(
        await connection.fetchval(
            """
            insert into lost_sales (producer_id, reason, product_id, buyer_id, currency, amount, created_at,
                                    recovered_sale_id)
            values ($1, $2, $3, $4, $5, $6, $7, $8)
            returning id
            """,
            seller.id,
            reason,
            product_id or seller.product_id,
            buyer_id or seller.buyer_id,
            currency,
            Decimal(amount),
            created_at,
            recovered_sale_id,
        )
    )
