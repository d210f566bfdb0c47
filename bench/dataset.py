"""The benchmark's database: an embedded PostgreSQL under `.data/bench-<size>`, seeded once and reused.

The first use of a size migrates a fresh database, makes the serving role, seeds the deterministic demo data
(`gateway.operations.demo.seed`; producer 1 gets about 10% of the sales), makes an API key for every producer and writes
them to `keys.json`. A marker (`dataset.json`) records the size, the seed and the anchor (the day the data
ends): while it matches, the data is reused as it is. Every use (re)creates the objects the PostGraphile peer
needs (`bench/postgraphile/schema.sql`), applies any new migration and makes sure `pg_stat_statements` is loaded
(the benchmark counts SQL statements with it).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from gateway.operations.database import EMBEDDED_DATABASE, SERVING_ROLE, EmbeddedPostgres, ensure_database, url_with
from gateway.operations.migrate import migrate
from loaders.admin import ensure_serving_role

log = logging.getLogger("bench.dataset")

ROOT = Path(__file__).resolve().parent.parent
POSTGRAPHILE_SQL = Path(__file__).resolve().parent / "postgraphile" / "schema.sql"
LARGE_PRODUCER = 1  # the seed gives producer 1 about 10% of the sales
MARKER_VERSION = 1

# Server settings for the benchmark (the same for every candidate). pg_stat_statements needs a restart.
SERVER_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "top",
    "pg_stat_statements.max": "10000",
    "max_connections": "200",
    "shared_buffers": "1GB",
    "effective_cache_size": "4GB",
    "jit": "off",
}
RESTART_SETTINGS = ("shared_preload_libraries", "max_connections", "shared_buffers", "pg_stat_statements.max")


@dataclass(frozen=True, slots=True)
class Size:
    producers: int
    sales: int


SIZES = {
    "quick": Size(producers=20, sales=20_000),
    "full": Size(producers=1_000, sales=1_000_000),
}


@dataclass(frozen=True, slots=True)
class Dataset:
    """A prepared database: where it is, who may connect, the keys of its producers, and when its data ends."""

    size_name: str
    size: Size
    seed: int
    folder: Path
    owner_url: str  # a superuser: migrations, seeding, pg_stat_statements
    serve_url: str  # the serving role (row-level security applies)
    keys: dict[int, str]  # producer id -> API key (every scope)
    anchor: datetime.date  # the data ends at midnight UTC of this day
    postmaster_pid: int
    keys_file: Path

    @property
    def large_producer(self) -> int:
        return LARGE_PRODUCER

    def key(self, producer_id: int) -> str:
        return self.keys[producer_id]


def data_folder(size_name: str) -> Path:
    return ROOT / ".data" / f"bench-{size_name}"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One preparer at a time per folder (a test and a developer may run the bench together)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def open_dataset(size_name: str, *, seed: int = 1) -> Iterator[Dataset]:
    """The dataset of `size_name`, prepared if needed; its embedded server runs for the block."""
    size = SIZES[size_name]
    folder = data_folder(size_name)
    with _locked(folder):
        server = EmbeddedPostgres(folder / "pgdata")
        server.start()
        try:
            if asyncio.run(_configure_server(server.database_url("postgres"))):
                log.info("restarting the benchmark's PostgreSQL to load its settings")
                server.stop()
                server = EmbeddedPostgres(folder / "pgdata")
                server.start()
            asyncio.run(ensure_database(server.database_url("postgres"), EMBEDDED_DATABASE))
            owner_url = server.database_url(EMBEDDED_DATABASE)
            keys, anchor = asyncio.run(_prepare(owner_url, folder, size_name, size, seed))
        except BaseException:
            server.stop()
            raise
    try:
        yield Dataset(
            size_name=size_name,
            size=size,
            seed=seed,
            folder=folder,
            owner_url=owner_url,
            serve_url=url_with(owner_url, user=SERVING_ROLE),
            keys=keys,
            anchor=anchor,
            postmaster_pid=_postmaster_pid(folder / "pgdata"),
            keys_file=folder / "keys.json",
        )
    finally:
        server.stop()


def _postmaster_pid(pgdata: Path) -> int:
    return int((pgdata / "postmaster.pid").read_text().splitlines()[0])


async def _configure_server(admin_url: str) -> bool:
    """Apply SERVER_SETTINGS with ALTER SYSTEM; True when a restart is needed for them to take effect."""
    connection = await asyncpg.connect(admin_url)
    try:
        restart = False
        for name, wanted in SERVER_SETTINGS.items():
            current = await connection.fetchval("select current_setting($1, true)", name)
            if not _same_setting(current, wanted):
                await connection.execute(f"alter system set {name} = '{wanted}'")
                restart = restart or name in RESTART_SETTINGS
        await connection.execute("select pg_reload_conf()")
        return restart
    finally:
        await connection.close()


def _same_setting(current: str | None, wanted: str) -> bool:
    if current is None:
        return False
    return current.replace(" ", "").lower() == wanted.replace(" ", "").lower()


def _marker(size: Size, seed: int, anchor: datetime.date) -> dict[str, object]:
    return {
        "version": MARKER_VERSION,
        "producers": size.producers,
        "sales": size.sales,
        "seed": seed,
        "anchor": anchor.isoformat(),
    }


async def _prepare(
    owner_url: str, folder: Path, size_name: str, size: Size, seed: int
) -> tuple[dict[int, str], datetime.date]:
    marker_file, keys_file = folder / "dataset.json", folder / "keys.json"
    marker = json.loads(marker_file.read_text()) if marker_file.exists() else None
    reusable = (
        marker is not None
        and keys_file.exists()
        and marker.get("version") == MARKER_VERSION
        and (marker.get("producers"), marker.get("sales"), marker.get("seed")) == (size.producers, size.sales, seed)
    )
    if reusable:
        assert marker is not None
        anchor = datetime.date.fromisoformat(str(marker["anchor"]))
        await _refresh(owner_url)
        keys = {int(entry["producer_id"]): entry["key"] for entry in json.loads(keys_file.read_text())}
        return keys, anchor

    marker_file.unlink(missing_ok=True)
    anchor = datetime.datetime.now(datetime.UTC).date()
    print(
        f"bench: seeding the {size_name} dataset ({size.producers:,} producers, {size.sales:,} sales) once", flush=True
    )
    admin_url = url_with(owner_url, database="postgres")
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(f'drop database if exists "{EMBEDDED_DATABASE}" with (force)')
        await connection.execute(f'create database "{EMBEDDED_DATABASE}"')
    finally:
        await connection.close()
    keys = await _create(owner_url, size, seed, anchor)
    _write_private(keys_file, json.dumps([{"producer_id": p, "key": k} for p, k in sorted(keys.items())]))
    await _refresh(owner_url)
    marker_file.write_text(json.dumps(_marker(size, seed, anchor), indent=2) + "\n")
    return keys, anchor


async def _create(owner_url: str, size: Size, seed: int, anchor: datetime.date) -> dict[int, str]:
    from gateway.operations.demo import seed as seed_demo
    from loaders.api_keys import create_key

    connection = await asyncpg.connect(owner_url)
    try:
        await migrate(connection)
        await ensure_serving_role(connection, SERVING_ROLE)
        report = await seed_demo(
            connection,
            producers=size.producers,
            sales=size.sales,
            seed=seed,
            anchor=datetime.datetime.combine(anchor, datetime.time.min, tzinfo=datetime.UTC),
        )
        print(f"bench: {report.summary()}", flush=True)
        producer_ids = [row["id"] for row in await connection.fetch("select id from producers order by id")]
        keys: dict[int, str] = {}
        async with connection.transaction():
            for producer_id in producer_ids:
                keys[producer_id] = (await create_key(connection, producer_id, name="bench")).secret
        await connection.execute("vacuum analyze")
        return keys
    finally:
        await connection.close()


async def _refresh(owner_url: str) -> None:
    """What every run needs, whether or not the data is new: migrations, the serving role, the PostGraphile
    peer's functions, pg_stat_statements."""
    connection = await asyncpg.connect(owner_url)
    try:
        await migrate(connection)
        await ensure_serving_role(connection, SERVING_ROLE)
        await connection.execute(POSTGRAPHILE_SQL.read_text("utf-8"))
        await connection.execute("create extension if not exists pg_stat_statements")
    finally:
        await connection.close()


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)
