"""The request's transaction: per-execution plans for aggregates last as long as the transaction, and a
loader waiting for a connection of an exhausted pool gives up fast."""

from __future__ import annotations

import asyncpg
import pytest

from loaders.database import PoolExhausted, TenantDatabase
from tests.factories.producers import make_seller

SETTING = "select current_setting('plan_cache_mode')"


async def test_plans_per_execution_hold_for_the_transaction_only(
    serving_pool: asyncpg.Pool, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    db = TenantDatabase(serving_pool, seller.id)
    assert await db.fetchval(SETTING) == "auto"
    rows = await db.fetch("select id from producers", per_producer_plan=True)
    assert [row["id"] for row in rows] == [seller.id]  # still the producer's transaction
    assert await db.fetchval(SETTING) == "force_custom_plan"
    await db.close()

    again = TenantDatabase(serving_pool, seller.id)  # the same pooled connection, a new transaction
    assert await again.fetchval(SETTING) == "auto"
    await again.close()


async def test_loaders_waiting_on_an_exhausted_pool_fail_fast(serving_pool: asyncpg.Pool) -> None:
    db = TenantDatabase(serving_pool, 1, acquire_timeout=0.2)
    async with serving_pool.acquire():  # the pool's only connection
        with pytest.raises(PoolExhausted):
            await db.fetch("select 1")
    await db.close()
