"""Plain SQL migrations: applied in order, each once, recorded with a checksum."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources

import asyncpg

_FILE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x5A1E5  # advisory lock: one migrator at a time


class MigrationError(RuntimeError):
    """The database's migration history does not match the migration files."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations() -> list[Migration]:
    """The migration files shipped in `gateway/operations/migrations`, ordered by version."""
    folder = resources.files("gateway.operations") / "migrations"
    migrations = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            migrations.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    migrations.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files share a version: {versions}")
    return migrations


async def migrate(connection: asyncpg.Connection, migrations: list[Migration] | None = None) -> list[str]:
    """Apply the migrations not applied yet; return their names.

    Raises `MigrationError` when an applied migration's file changed since, or was removed.
    """
    migrations = load_migrations() if migrations is None else migrations
    await connection.execute(
        """
        create table if not exists schema_migrations (
            version    integer primary key,
            name       text        not null,
            checksum   text        not null,
            applied_at timestamptz not null default now()
        )
        """
    )
    applied_now: list[str] = []
    async with connection.transaction():
        await connection.execute("select pg_advisory_xact_lock($1)", _LOCK_KEY)
        rows = await connection.fetch("select version, name, checksum from schema_migrations order by version")
        applied = {row["version"]: row for row in rows}
        by_version = {migration.version: migration for migration in migrations}
        for version, row in applied.items():
            migration = by_version.get(version)
            if migration is None:
                raise MigrationError(f"migration {row['name']} is applied but its file is missing")
            if migration.checksum != row["checksum"]:
                raise MigrationError(
                    f"migration {migration.name} was edited after it was applied "
                    f"(recorded checksum {row['checksum'][:12]}, file now {migration.checksum[:12]}); "
                    "add a new migration instead"
                )
        for migration in migrations:
            if migration.version in applied:
                continue
            await connection.execute(migration.sql)
            await connection.execute(
                "insert into schema_migrations (version, name, checksum) values ($1, $2, $3)",
                migration.version,
                migration.name,
                migration.checksum,
            )
            applied_now.append(migration.name)
    return applied_now
