"""Fixtures: a real PostgreSQL (embedded by default, `TEST_DATABASE_URL` to use another server)."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from gateway.http.app import create_app
from gateway.operations.database import SERVING_ROLE, EmbeddedPostgres, drop_database, ensure_database, url_with
from gateway.operations.migrate import migrate
from loaders.admin import ensure_serving_role
from tests.settings import gateway_settings

NewDatabase = Callable[[], Awaitable[str]]


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A URL to a server on which the tests may create and drop databases.

    `TEST_DATABASE_URL` names an existing server (its database is only used to create others);
    without it, a throwaway embedded PostgreSQL is started for the session.
    """
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external
        return
    # a folder of its own (not pytest's tmp_path, which concurrent pytest runs prune)
    folder = Path(tempfile.mkdtemp(prefix="sales-gateway-test-"))
    server = EmbeddedPostgres(folder / "data")
    server.start()
    try:
        yield server.database_url("postgres")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
async def new_database(postgres_admin_url: str) -> AsyncIterator[NewDatabase]:
    """A factory of fresh, migrated databases, all dropped at the end of the session."""
    created: list[str] = []

    async def create() -> str:
        name = f"sg_test_{uuid.uuid4().hex[:12]}"
        await ensure_database(postgres_admin_url, name)
        created.append(name)
        url = url_with(postgres_admin_url, database=name)
        connection = await asyncpg.connect(url)
        try:
            await migrate(connection)
            await ensure_serving_role(connection, SERVING_ROLE)
        finally:
            await connection.close()
        return url

    yield create
    for name in created:
        await drop_database(postgres_admin_url, name)


@pytest.fixture(scope="session")
async def database_url(new_database: NewDatabase) -> str:
    """One migrated database shared by the session's tests (each test uses its own producers)."""
    return await new_database()


@pytest.fixture
async def connection(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """An owner connection (it bypasses row-level security) for arranging rows and checking results."""
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
async def serving_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool of one connection as the serving role (row-level security applies), for loader-level tests."""
    pool = await asyncpg.create_pool(url_with(database_url, user=SERVING_ROLE), min_size=1, max_size=1)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture(scope="session")
async def app(database_url: str) -> AsyncIterator[Starlette]:
    """The gateway over the session database, with its lifespan (pool) running."""
    application = create_app(gateway_settings({}), url_with(database_url, user=SERVING_ROLE))
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as http_client:
        yield http_client
