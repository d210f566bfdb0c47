"""Row-level security is the second wall: the serving role sees one producer's rows or none."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from gateway.operations.database import SERVING_ROLE, url_with
from loaders.admin import serving_role_problems
from loaders.database import TENANT_SETTING
from tests.factories.lost_sales import make_lost_sale
from tests.factories.producers import make_seller
from tests.factories.sales import make_sale


@pytest.fixture
async def serving(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(url_with(database_url, user=SERVING_ROLE))
    try:
        yield connection
    finally:
        await connection.close()


async def _tenant_tables(connection: asyncpg.Connection) -> list[str]:
    rows = await connection.fetch(
        """
        select c.relname from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
          and (c.relname = 'producers'
               or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'producer_id'))
        order by 1
        """
    )
    return [row["relname"] for row in rows]


async def test_serving_role_cannot_bypass_rls_and_owns_nothing(serving: asyncpg.Connection) -> None:
    assert await serving_role_problems(serving) == []
    row = await serving.fetchrow("select rolsuper, rolbypassrls from pg_roles where rolname = current_user")
    assert row is not None
    assert (row["rolsuper"], row["rolbypassrls"]) == (False, False)


async def test_every_tenant_table_has_rls_forced(connection: asyncpg.Connection) -> None:
    tables = await _tenant_tables(connection)
    assert "sales" in tables
    assert "statement_entries" in tables
    flags = await connection.fetch(
        "select relname, relrowsecurity, relforcerowsecurity from pg_class where relname = any($1::text[])", tables
    )
    for row in flags:
        if row["relname"] == "api_keys":  # credentials: no privilege at all for the serving role
            assert row["relrowsecurity"]
            continue
        assert (row["relname"], row["relrowsecurity"], row["relforcerowsecurity"]) == (row["relname"], True, True)


async def test_without_the_tenant_setting_nothing_is_visible(
    connection: asyncpg.Connection, serving: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    await make_sale(connection, seller, created_at=datetime.now(UTC))
    assert await connection.fetchval("select count(*) from sales where producer_id = $1", seller.id) == 1
    for table in await _tenant_tables(connection):
        if table == "api_keys":
            continue
        assert await serving.fetchval(f"select count(*) from {table}") == 0, table


async def test_the_tenant_setting_shows_only_that_producers_rows(
    connection: asyncpg.Connection, serving: asyncpg.Connection
) -> None:
    mine, theirs = await make_seller(connection), await make_seller(connection)
    for seller in (mine, theirs):
        sale = await make_sale(connection, seller, created_at=datetime.now(UTC))
        await make_lost_sale(connection, seller, created_at=datetime.now(UTC), recovered_sale_id=sale)
    async with serving.transaction():
        await serving.execute("select set_config($1, $2, true)", TENANT_SETTING, str(mine.id))
        for table in await _tenant_tables(connection):
            if table == "api_keys":
                continue
            column = "id" if table == "producers" else "producer_id"
            owners = await serving.fetchval(f"select array_agg(distinct {column}) from {table}")
            assert owners in (None, [mine.id]), table
        # and it cannot write rows for another producer
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await serving.execute(
                "insert into withdrawals (producer_id, amount, currency, status, idempotency_key, request_hash) "
                "values ($1, 1, 'BRL', 'REQUESTED', 'k', '\\x00')",
                theirs.id,
            )


async def test_keys_and_ledger_are_out_of_the_serving_roles_reach(serving: asyncpg.Connection) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await serving.fetch("select * from api_keys")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await serving.execute("update statement_entries set amount = 0")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await serving.execute("delete from statement_entries")
