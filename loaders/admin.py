"""Statements the command line runs as the database owner, outside any tenant."""

from __future__ import annotations

import asyncpg


async def has_any_producer(connection: asyncpg.Connection) -> bool:
    return bool(await connection.fetchval("select exists (select 1 from producers)"))


async def producer_exists(connection: asyncpg.Connection, producer_id: int) -> bool:
    return bool(await connection.fetchval("select exists (select 1 from producers where id = $1)", producer_id))
