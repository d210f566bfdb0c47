"""Products, buyers and affiliates of a producer."""

from __future__ import annotations

import itertools
from decimal import Decimal

import asyncpg

_counter = itertools.count(1)


async def make_product(
    connection: asyncpg.Connection,
    producer_id: int,
    *,
    price: str = "97.00",
    currency: str = "BRL",
    kind: str = "ONLINE_COURSE",
) -> int:
    n = next(_counter)
    return int(
        await connection.fetchval(
            "insert into products (producer_id, name, kind, price, currency) values ($1, $2, $3, $4, $5) returning id",
            producer_id,
            f"Product {n}",
            kind,
            Decimal(price),
            currency,
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


async def make_affiliate(connection: asyncpg.Connection, producer_id: int) -> int:
    n = next(_counter)
    return int(
        await connection.fetchval(
            "insert into affiliates (producer_id, name, email) values ($1, $2, $3) returning id",
            producer_id,
            f"Affiliate {n}",
            f"affiliate{n}@example.com",
        )
    )
