"""Where the database is: the configured one, or an embedded PostgreSQL started and prepared here."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path

import asyncpg

from gateway.operations.database import EMBEDDED_DATABASE, SERVING_ROLE, EmbeddedPostgres, ensure_database, url_with
from gateway.operations.migrate import migrate
from gateway.operations.settings import Settings
from loaders.admin import ensure_serving_role, has_any_producer

log = logging.getLogger(__name__)

DEMO_SEED = 1
DEMO_KEY_PRODUCERS = 3


@dataclass(frozen=True, slots=True)
class DatabaseUrls:
    serve: str  # what the gateway serves through
    owner: str  # what migrations and seeding run as


@contextlib.contextmanager
def database_urls(settings: Settings) -> Iterator[DatabaseUrls]:
    """The configured URLs, or those of an embedded server kept running for the block."""
    if not settings.embedded:
        assert settings.database_url is not None
        yield DatabaseUrls(serve=settings.database_url, owner=settings.database_owner_url or settings.database_url)
        return
    server = EmbeddedPostgres(settings.data_dir / "pgdata")
    server.start()
    try:
        asyncio.run(ensure_database(server.database_url("postgres"), EMBEDDED_DATABASE))
        owner = server.database_url(EMBEDDED_DATABASE)
        yield DatabaseUrls(serve=url_with(owner, user=SERVING_ROLE), owner=owner)
    finally:
        server.stop()


async def run_migrations(owner_url: str, *, embedded: bool = False) -> list[str]:
    """Apply the migrations as the owner; for the embedded default, also make its serving role."""
    connection = await asyncpg.connect(owner_url)
    try:
        applied = await migrate(connection)
        if embedded:
            await ensure_serving_role(connection, SERVING_ROLE)
        return applied
    finally:
        await connection.close()


def demo_anchor() -> datetime:
    """Demo data ends today (UTC midnight after today), so the last-7-days card has numbers."""
    today = datetime.now(UTC).date()
    return datetime.combine(today, time.min, tzinfo=UTC)


async def prepare_embedded_demo(owner_url: str, settings: Settings) -> list[tuple[int, str]]:
    """Seed the embedded database once and make demo keys; return (producer id, key) to print.

    The demo keys are kept in the data directory (readable by this user only) so that every start
    can print them again; a restart neither seeds nor makes keys again.
    """
    from gateway.operations.demo import seed
    from loaders.api_keys import create_key

    keys_file = settings.data_dir / "demo-keys.json"
    connection = await asyncpg.connect(owner_url)
    try:
        if not await has_any_producer(connection):
            log.info("seeding demo data: %d producers, %d sales", settings.demo_producers, settings.demo_sales)
            report = await seed(
                connection,
                producers=settings.demo_producers,
                sales=settings.demo_sales,
                seed=DEMO_SEED,
                anchor=demo_anchor(),
            )
            log.info("seeded in %.1f s", report.elapsed_seconds)
            keys = []
            for producer_id in range(1, min(DEMO_KEY_PRODUCERS, settings.demo_producers) + 1):
                created = await create_key(connection, producer_id, name="demo")
                keys.append((producer_id, created.secret))
            _write_private(keys_file, json.dumps([{"producer_id": p, "key": k} for p, k in keys]))
            return keys
    finally:
        await connection.close()
    if keys_file.exists():
        return [(entry["producer_id"], entry["key"]) for entry in json.loads(keys_file.read_text())]
    return []


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
