"""Migrations apply in order, once, and refuse an edited history."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from gateway.operations.database import drop_database, ensure_database, url_with
from gateway.operations.migrate import Migration, MigrationError, load_migrations, migrate
from tests.conftest import NewDatabase


def test_migration_files_are_numbered_in_order() -> None:
    versions = [migration.version for migration in load_migrations()]
    assert versions == sorted(versions)
    assert versions[0] == 1


async def test_migrations_apply_once_with_checksums(new_database: NewDatabase) -> None:
    url = await new_database()  # already migrated once by the fixture
    connection = await asyncpg.connect(url)
    try:
        assert await migrate(connection) == []
        rows = await connection.fetch("select name, checksum from schema_migrations order by version")
        assert [row["name"] for row in rows] == [migration.name for migration in load_migrations()]
        assert all(row["checksum"] == m.checksum for row, m in zip(rows, load_migrations(), strict=True))
    finally:
        await connection.close()


async def test_new_migration_is_applied_after_existing_ones(new_database: NewDatabase) -> None:
    url = await new_database()
    connection = await asyncpg.connect(url)
    try:
        extra = Migration(9999, "9999_probe.sql", "create table migration_probe (id int)")
        assert await migrate(connection, [*load_migrations(), extra]) == ["9999_probe.sql"]
        assert await connection.fetchval("select to_regclass('migration_probe') is not null")
        assert await migrate(connection, [*load_migrations(), extra]) == []
    finally:
        await connection.close()


async def test_edited_migration_is_a_clear_error(new_database: NewDatabase) -> None:
    url = await new_database()
    connection = await asyncpg.connect(url)
    try:
        first, *rest = load_migrations()
        edited = Migration(first.version, first.name, first.sql + "\n-- edited\n")
        with pytest.raises(MigrationError, match=r"0001_data_model\.sql was edited after it was applied"):
            await migrate(connection, [edited, *rest])
    finally:
        await connection.close()


async def test_missing_applied_migration_is_a_clear_error(new_database: NewDatabase) -> None:
    url = await new_database()
    connection = await asyncpg.connect(url)
    try:
        with pytest.raises(MigrationError, match="file is missing"):
            await migrate(connection, load_migrations()[1:] or [])
    finally:
        await connection.close()


async def test_the_subscription_history_starts_with_the_subscriptions_already_there(postgres_admin_url: str) -> None:
    name = f"sg_test_{uuid.uuid4().hex[:12]}"
    await ensure_database(postgres_admin_url, name)
    connection = await asyncpg.connect(url_with(postgres_admin_url, database=name))
    try:
        before_history = [migration for migration in load_migrations() if migration.version < 8]
        await migrate(connection, before_history)
        producer = await connection.fetchval(
            "insert into producers (name, email, time_zone) values ('P', 'p@example.com', 'UTC') returning id"
        )
        buyer = await connection.fetchval(
            "insert into buyers (producer_id, name, email) values ($1, 'B', 'b@example.com') returning id", producer
        )
        product = await connection.fetchval(
            "insert into products (producer_id, name, kind, price, currency)"
            " values ($1, 'Course', 'ONLINE_COURSE', 10, 'BRL') returning id",
            producer,
        )
        subscriptions = await connection.fetch(
            """
            insert into subscriptions (producer_id, buyer_id, product_id, plan_name, price, currency, status, started_at,
                                       cancelled_at, cancellation_reason)
            values ($1, $2, $3, 'Monthly', 10, 'BRL', 'ACTIVE', '2026-01-05', null, null),
                   ($1, $2, $3, 'Monthly', 10, 'BRL', 'CANCELLED_BY_CUSTOMER', '2026-02-05', '2026-03-01', 'Moved on'),
                   ($1, $2, $3, 'Monthly', 10, 'BRL', 'STARTED', '2026-03-05', null, null)
            returning id
            """,
            producer,
            buyer,
            product,
        )
        await migrate(connection)
        history = await connection.fetch(
            "select subscription_id, status, changed_at::date::text as day, reason"
            " from subscription_status_changes order by id"
        )
        active, cancelled, started = (row["id"] for row in subscriptions)
        assert [tuple(row) for row in history] == [
            (active, "STARTED", "2026-01-05", None),
            (active, "ACTIVE", "2026-01-05", None),
            (cancelled, "STARTED", "2026-02-05", None),
            (cancelled, "CANCELLED_BY_CUSTOMER", "2026-03-01", "Moved on"),
            (started, "STARTED", "2026-03-05", None),
        ]
    finally:
        await connection.close()
        await drop_database(postgres_admin_url, name)
