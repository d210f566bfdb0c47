"""One seller's heavy requests do not slow another seller's: p99 within 2x of its figure alone.

`sales-gateway serve` runs over the test database with its default settings (one worker, a pool of 10). One
producer's plain query is sent at a steady rate, one at a time, and timed: alone, then while another producer's
key sends 20 searches at once without pause (20 keep-alive connections from another process, each sending its
next search as soon as the last is answered), then alone again. Each search matches all of that producer's
30,000 sales and asks for their count and a page of 50 with their relations: about 12 ms of work alone, most of
it in PostgreSQL, against 2 ms for the plain query.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest

from tests.factories.producers import Seller, make_seller
from tests.factories.sales import bulk_sales, make_sale
from tests.processes import serving

pytestmark = pytest.mark.slow

HEAVY_SALES = 30_000
CONCURRENT_SEARCHES = 20
ROUNDS = 5
ROUND_S = 2.2  # of each figure per round: about 220 requests
SAMPLES = 1_000  # of each figure, at least
WARM_UP_S = 0.5
EVERY_S = 0.01  # the plain query's rate: 100 a second
LIMIT = 2.0

SEARCH = """query Search($term: String!) {
  sales(first: 50, filter: {search: $term}) {
    totalCount
    edges { node { id transactionCode status createdAt grossAmount { amount currency } netAmount { amount currency }
                   product { id name } buyer { id name email } affiliate { id name } } }
  }
}"""
PLAIN = "{ viewer { name } sales(first: 10) { edges { node { id transactionCode grossAmount { amount currency } } } } }"


@pytest.fixture
async def sellers(connection: asyncpg.Connection) -> tuple[Seller, Seller]:
    """The heavy seller (30,000 sales of one buyer) and the plain one (20 sales)."""
    heavy, plain = await make_seller(connection), await make_seller(connection)
    await bulk_sales(connection, heavy, HEAVY_SALES, base=datetime(2026, 11, 1, tzinfo=UTC))
    for day in range(1, 21):
        await make_sale(connection, plain, created_at=datetime(2026, 11, day, tzinfo=UTC))
    await connection.execute("analyze")
    return heavy, plain


class PlainClient:
    """Requests one at a time on one keep-alive connection, raw HTTP/1.1, each timed."""

    def __init__(self, url: str, key: str, query: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.socket = socket.create_connection((host, int(port)))
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        body = json.dumps({"query": query}).encode()
        self.request = (
            f"POST /graphql HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {key}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
        ).encode() + body
        self.stream = self.socket.makefile("rb")

    def timed(self) -> float:
        """One request's round trip in ms; it must be answered 200 with data and no error."""
        started = time.perf_counter()
        self.socket.sendall(self.request)
        status = self.stream.readline()
        length = 0
        while (line := self.stream.readline()) != b"\r\n":
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = self.stream.read(length)
        elapsed = (time.perf_counter() - started) * 1000
        assert status.split()[1] == b"200", body
        answer = json.loads(body)
        assert "errors" not in answer, answer
        assert answer["data"]["sales"]["edges"], answer
        return elapsed

    def steady(self, until: threading.Event) -> list[tuple[float, float]]:
        """Send a request every EVERY_S seconds until `until` is set: when each was sent, and its time in ms."""
        times = []
        next_at = time.perf_counter()
        while not until.is_set():
            time.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += EVERY_S
            sent = time.perf_counter()
            times.append((sent, self.timed()))
        return times

    def close(self) -> None:
        self.stream.close()
        self.socket.close()


@contextlib.contextmanager
def hammering(url: str, key: str, tmp_path: Path) -> Iterator[list[str]]:
    """`tests.hammer` sending the search over CONCURRENT_SEARCHES connections; what it printed, once stopped."""
    body_file = tmp_path / "search.json"
    body_file.write_text(json.dumps({"query": SEARCH, "variables": {"term": "Buyer"}}))
    command = [
        sys.executable,
        "-m",
        "tests.hammer",
        url,
        key,
        str(body_file),
        str(CONCURRENT_SEARCHES),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    lines: list[str] = []
    try:
        assert process.stdout is not None
        lines.append(process.stdout.readline().strip())
        assert lines == ["loaded"], lines
        yield lines
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
        lines.extend(output.split())


def p99(times: list[float]) -> float:
    return sorted(times)[int(len(times) * 0.99) - 1]


def test_one_sellers_concurrent_searches_leave_anothers_p99_within_twice_its_figure_alone(
    database_url: str, tmp_path: Path, sellers: tuple[Seller, Seller]
) -> None:
    """The plain queries go on all along, from a thread; the searches come and go in rounds, so that the
    machine's own ups and downs fall on both figures alike. A plain query counts as alone or beside the
    searches by when it was sent; those sent while the searches start or stop count as neither."""
    heavy, plain = sellers
    phases: list[tuple[str, float, float]] = []
    answered: collections.Counter[str] = collections.Counter()
    with serving(database_url, tmp_path / "serve.log") as (url, _), concurrent.futures.ThreadPoolExecutor() as pool:
        client = PlainClient(url, plain.key, PLAIN)
        until = threading.Event()
        stream = pool.submit(client.steady, until)
        try:
            time.sleep(WARM_UP_S)
            for _ in range(ROUNDS):
                started = time.perf_counter()
                time.sleep(ROUND_S)
                phases.append(("alone", started, time.perf_counter()))
                with hammering(url, heavy.key, tmp_path) as hammer:
                    started = time.perf_counter()
                    time.sleep(ROUND_S)
                    phases.append(("beside", started, time.perf_counter()))
                answered.update({status: int(count) for status, count in (item.split(":") for item in hammer[1:])})
                time.sleep(0.5)  # the searches the gateway had already read are answered to nobody
        finally:
            until.set()
            times = stream.result()
            client.close()
    figures: dict[str, list[float]] = {"alone": [], "beside": []}
    for sent, elapsed in times:
        for phase, start, end in phases:
            if start <= sent < end:
                figures[phase].append(elapsed)
    alone, beside = figures["alone"], figures["beside"]
    print(
        f"\nthe plain query's p99: {p99(alone):.1f} ms alone, {p99(beside):.1f} ms beside {CONCURRENT_SEARCHES}"
        f" searches ({p99(beside) / p99(alone):.2f}x; p50 {statistics.median(alone):.1f} and"
        f" {statistics.median(beside):.1f} ms; {len(alone)} and {len(beside)} requests); searches answered by"
        f" status: {dict(answered)}"
    )
    assert min(len(alone), len(beside)) >= SAMPLES
    assert set(answered) == {"200"}, answered
    assert answered["200"] >= CONCURRENT_SEARCHES, answered
    assert p99(beside) <= LIMIT * p99(alone), f"p99 {p99(beside):.1f} ms beside the searches, {p99(alone):.1f} alone"
