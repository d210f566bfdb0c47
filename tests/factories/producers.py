"""Producers made for one test: the seller, with a product, a buyer and an API key."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import asyncpg

from loaders.api_keys import create_key
from tests.factories.catalog import make_buyer, make_product

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
