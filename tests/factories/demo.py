"""A fresh database filled by the demo's seed, and API keys of some of its producers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time

import asyncpg

from gateway.operations.demo import seed
from loaders.api_keys import create_key


async def seeded_database(
    new_database: Callable[[], Awaitable[str]], *, producers: int, sales: int, seed_value: int, keys_of: tuple[int, ...]
) -> tuple[str, dict[int, str]]:
    """The database's URL and a key secret per producer of `keys_of`; the data's anchor is today at 00:00 UTC."""
    url = await new_database()
    connection = await asyncpg.connect(url)
    try:
        anchor = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
        await seed(connection, producers=producers, sales=sales, seed=seed_value, anchor=anchor)
        keys = {producer: (await create_key(connection, producer, name="tests")).secret for producer in keys_of}
    finally:
        await connection.close()
    return url, keys
