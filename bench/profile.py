"""The gateway's own CPU per request, in process: `python -m bench.profile Q3 Q5 [--cprofile]`.

Runs the benchmark's queries against the benchmark's database through the ASGI app called directly (no
HTTP server, no client library: what is measured is the gateway's work and its waits on PostgreSQL), one
request at a time or `--concurrency` at once, and reports per request the wall time, this process's CPU time
and the SQL statements the gateway ran. With `--cprofile` it prints the functions that cost the most. It is
the quick loop for work on the execution path; `python -m bench` is the measurement of record.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import statistics
import time
from typing import Any

import orjson

from bench.dataset import Dataset, open_dataset
from bench.queries import QUERIES, BenchQuery


async def _call(app: Any, body: bytes, key: str) -> tuple[int, bytes, int]:
    """One POST /graphql through the ASGI interface: status, body and the SQL statement count."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {key}".encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    sent = False
    status = 0
    statements = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # the client never disconnects
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, statements
        if message["type"] == "http.response.start":
            status = message["status"]
            for name, value in message["headers"]:
                if name == b"x-sql-statements":
                    statements = int(value)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks), statements


async def _measure(app: Any, dataset: Dataset, query: BenchQuery, requests: int, concurrency: int) -> dict[str, float]:
    body = orjson.dumps(query.body("gateway", dataset.anchor))
    producers = sorted(dataset.keys)
    chooser = random.Random(7)

    def key() -> str:
        return dataset.key(dataset.large_producer if query.producers == "large" else chooser.choice(producers))

    async def one() -> tuple[float, int]:
        started = time.perf_counter()
        status, answer, statements = await _call(app, body, key())
        if status != 200 or b'"errors"' in answer:
            raise SystemExit(f"{query.name}: HTTP {status}: {answer[:300]!r}")
        return time.perf_counter() - started, statements

    for _ in range(max(5, requests // 5)):  # warm-up: plans, caches, the pool
        await one()
    walls: list[float] = []
    counts: list[int] = []
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for _ in range(requests // concurrency):
        for wall, statements in await asyncio.gather(*(one() for _ in range(concurrency))):
            walls.append(wall)
            counts.append(statements)
    cpu = time.process_time() - cpu_started
    elapsed = time.perf_counter() - wall_started
    done = len(walls)
    return {
        "requests": done,
        "req_per_s": done / elapsed,
        "p50_ms": statistics.median(walls) * 1000,
        "cpu_ms": cpu / done * 1000,
        "sql": statistics.mean(counts),
    }


async def _main(
    dataset: Dataset, names: list[str], requests: int, concurrency: int, profile: bool, repeat: int
) -> None:
    os.environ.update(
        DATABASE_URL=dataset.serve_url,
        GATEWAY_ENV="development",
        GATEWAY_GRAPHIQL="false",
        LOG_LEVEL="WARNING",
        GATEWAY_COST_BUCKET_SIZE="100000000",
        GATEWAY_COST_RESTORE_RATE="100000000",
    )
    from bench.servers import gateway_app

    app = gateway_app()
    async with app.router.lifespan_context(app):
        for name in names:
            query = QUERIES[name]
            profiler = cProfile.Profile() if profile else None
            if profiler:
                profiler.enable()
            rounds = [await _measure(app, dataset, query, requests, concurrency) for _ in range(repeat)]
            figures = min(rounds, key=lambda round_: round_["cpu_ms"])  # the least disturbed round
            if profiler:
                profiler.disable()
            print(
                f"{name}: {figures['requests']:.0f} requests, c={concurrency}: {figures['req_per_s']:.1f} req/s,"
                f" p50 {figures['p50_ms']:.2f} ms, CPU {figures['cpu_ms']:.2f} ms/request,"
                f" {figures['sql']:.1f} SQL statements/request (best of {repeat} rounds by CPU;"
                f" CPU of each: {', '.join(format(round_['cpu_ms'], '.2f') for round_ in rounds)})",
                flush=True,
            )
            if profiler:
                pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("queries", nargs="*", default=list(QUERIES), help="Q1 ... Q6 (default: all)")
    parser.add_argument("--size", choices=["full", "quick"], default="full")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds per query; the best is shown")
    parser.add_argument("--cprofile", action="store_true", help="print the 30 costliest functions per query")
    options = parser.parse_args()
    with open_dataset(options.size) as dataset:
        asyncio.run(
            _main(dataset, options.queries, options.requests, options.concurrency, options.cprofile, options.rounds)
        )


if __name__ == "__main__":
    main()
