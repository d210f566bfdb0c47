"""A withdrawal written at the loader level is one transaction: a backend that dies inside it writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import asyncpg
import pytest

from loaders.database import TenantDatabase
from loaders.finance.payouts import MoneyRequest, request_withdrawal
from tests.factories.finance import make_funded_seller
from tests.invariants import check_ledger_invariants


@pytest.fixture(autouse=True)
async def _invariants_hold_after_each_test(connection: asyncpg.Connection) -> AsyncIterator[None]:
    yield
    await check_ledger_invariants(connection)


async def test_a_backend_terminated_mid_transaction_writes_nothing(
    serving_pool: asyncpg.Pool, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    db = TenantDatabase(serving_pool, seller.id)

    async def withdraw_and_get_killed() -> None:
        async with db.write() as write_connection:
            request = MoneyRequest(Decimal("10.00"), "BRL", "kill", b"h")
            outcome = await request_withdrawal(write_connection, seller.id, request)
            assert outcome.row is not None  # written inside the transaction, not committed
            await connection.execute("select pg_terminate_backend($1)", write_connection.get_server_pid())
            await write_connection.execute("select 1")

    with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, OSError)):
        await withdraw_and_get_killed()
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", seller.id) == 0
    assert (
        await connection.fetchval(
            "select count(*) from statement_entries where producer_id = $1 and kind = 'WITHDRAWAL'", seller.id
        )
        == 0
    )
    # the pool replaces the dead connection
    async with db.write() as write_connection:
        assert await write_connection.fetchval("select 1") == 1
    await db.close()
