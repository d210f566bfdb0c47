"""The request's transaction: per-execution plans for aggregates last as long as the transaction."""

from __future__ import annotations

import asyncpg

from loaders.database import TenantDatabase
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
