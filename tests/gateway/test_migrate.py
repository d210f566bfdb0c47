"""Migrations apply in order, once, and refuse an edited history."""

from __future__ import annotations

import asyncpg
import pytest

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
