"""`sales-gateway serve` on the embedded default: seeds once, prints keys, answers, keeps its data."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from tests.e2e.test_sales_management import CARD, expected_card
from tests.processes import free_port, serve_environment

pytestmark = pytest.mark.slow

SALES_GATEWAY = str(Path(sys.executable).parent / "sales-gateway")
COUNTS = "select (select count(*) from producers) p, (select count(*) from sales) s"
KEY_LINE = re.compile(r"producer (\d+): (sgk_\S+)")


class Server:
    def __init__(self, data_dir: Path, port: int) -> None:
        env = serve_environment(
            GATEWAY_DATA_DIR=str(data_dir),
            GATEWAY_PORT=str(port),
            GATEWAY_DEMO_PRODUCERS="4",
            GATEWAY_DEMO_SALES="3000",
            LOG_LEVEL="INFO",
        )
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [SALES_GATEWAY, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.keys: dict[int, str] = {}
        self.stdout: list[str] = []

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited: {self.process.stderr.read() if self.process.stderr else ''}")
            time.sleep(0.2)
        else:
            raise AssertionError("serve did not become ready")

    def read_keys(self) -> None:
        assert self.process.stdout is not None
        while len(self.keys) < 3:
            line = self.process.stdout.readline()
            assert line, "serve printed no demo keys"
            self.stdout.append(line)
            if match := KEY_LINE.search(line):
                self.keys[int(match.group(1))] = match.group(2)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=60)
        return stderr


@pytest.fixture
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve")


def _owner_url(data_dir: Path) -> str:
    lines = (data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()
    return f"postgresql://postgres@/sales_gateway?host={lines[4]}"


async def test_serve_runs_on_embedded_postgres_and_keeps_its_data(data_dir: Path) -> None:
    server = Server(data_dir, free_port())
    try:
        server.read_keys()
        server.wait_ready()
        key = server.keys[1]
        async with httpx.AsyncClient(base_url=server.url, headers={"authorization": f"Bearer {key}"}) as client:
            response = await client.post("/graphql", json={"query": CARD})
        card = response.json()["data"]["salesManagement"]

        connection = await asyncpg.connect(_owner_url(data_dir))
        try:
            time_zone = await connection.fetchval("select time_zone from producers where id = 1")
            zone = ZoneInfo(time_zone)
            first = datetime.fromisoformat(card["period"]["from"]).replace(tzinfo=zone)
            last = datetime.fromisoformat(card["period"]["to"]).replace(tzinfo=zone) + timedelta(days=1)
            assert last.date() == (datetime.now(UTC).astimezone(zone) + timedelta(days=1)).date()
            rows = await connection.fetch(
                "select * from sales where producer_id = 1 and created_at >= $1 and created_at < $2", first, last
            )
            counts = await connection.fetchrow(
                "select (select count(*) from producers) p, (select count(*) from sales) s"
            )
        finally:
            await connection.close()
        expected = expected_card(rows)
        assert expected, "the demo data has sales in the last 7 days"
        assert {
            row["currency"]: (row["count"], row["grossRevenue"]["amount"], row["netRevenue"]["amount"])
            for row in card["sales"]
        } == {currency: (count, str(gross), str(net)) for currency, (count, gross, net) in expected.items()}
    finally:
        server.stop()
    assert not (data_dir / "pgdata" / "postmaster.pid").exists(), "the embedded PostgreSQL was not stopped"

    restarted = Server(data_dir, free_port())
    try:
        restarted.read_keys()
        restarted.wait_ready()
        assert restarted.keys == server.keys
        connection = await asyncpg.connect(_owner_url(data_dir))
        try:
            again = await connection.fetchrow(
                "select (select count(*) from producers) p, (select count(*) from sales) s"
            )
        finally:
            await connection.close()
        assert tuple(again) == tuple(counts)
    finally:
        stderr = restarted.stop()
    assert "seeding demo data" not in stderr
