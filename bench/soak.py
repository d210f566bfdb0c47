"""Soak test: hold N clients on a mixed read load for T seconds; report errors by code, latency and memory.

    python -m bench.soak --clients 64 --seconds 600                  # starts `sales-gateway serve` itself
    python -m bench.soak --url http://127.0.0.1:8000 --key KEY ...   # against a running gateway

Not a unit test: it reports, and exits non-zero only when a 5xx or a transport error happened.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

QUERIES = {
    "Viewer": "query Viewer { viewer { id name } }",
    "Card": "query Card { salesManagement { period { from to } sales { currency count grossRevenue { amount } "
    "netRevenue { amount } } lostSales { count recoveredCount } } }",
    "Sales": "query Sales { sales(first: 20) { nodes { transactionCode status grossAmount { amount currency } "
    "product { name } buyer { email } affiliate { name } } pageInfo { hasNextPage endCursor } } }",
    "Money": "query Money { balances { currency available { amount } pending { amount } } "
    "statement(first: 10) { nodes { kind amount { amount } balanceAfter { amount } } } }",
    "Lost": "query Lost { lostSales(first: 10) { nodes { reason potentialRevenue { amount } buyer { email } } } }",
    "Subscriptions": "query Subscriptions { subscriptionSummary { active new cancelled "
    "monthlyRecurringRevenue { amount currency } } }",
    "Report": "query Report($p: DateRangeInput!) { reports { paymentMethods(period: $p) { paymentMethod sales "
    "revenue { amount currency } share } } }",
}
KEY_LINE = re.compile(r"producer (\d+): (sgk_\S+)")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    memory: list[tuple[float, float]] = field(default_factory=list)  # (seconds since start, RSS MiB)


async def _client(url: str, keys: list[str], deadline: float, tally: Tally, number: int) -> None:
    names = list(QUERIES)
    period = {"from": time.strftime("%Y-%m-%d", time.gmtime(time.time() - 30 * 86400)),
              "to": time.strftime("%Y-%m-%d", time.gmtime())}  # fmt: skip
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        turn = number
        while time.monotonic() < deadline:
            name = names[turn % len(names)]
            key = keys[turn % len(keys)]
            turn += 1
            body = {"query": QUERIES[name], "variables": {"p": period} if name == "Report" else None}
            started = time.perf_counter()
            try:
                response = await client.post("/graphql", json=body, headers={"authorization": f"Bearer {key}"})
            except httpx.HTTPError as error:
                tally.outcomes[f"transport error {type(error).__name__}"] += 1
                continue
            tally.latencies.append(time.perf_counter() - started)
            if response.status_code >= 500:
                tally.outcomes[f"http {response.status_code}"] += 1
                continue
            errors = response.json().get("errors") or []
            for error in errors:
                tally.outcomes[error.get("extensions", {}).get("code", "no code")] += 1
            if not errors:
                tally.outcomes["ok"] += 1


async def _sample_memory(pid: int, deadline: float, started: float, tally: Tally, every: float) -> None:
    process = psutil.Process(pid)
    while time.monotonic() < deadline:
        rss = sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
        tally.memory.append((time.monotonic() - started, rss / 2**20))
        await asyncio.sleep(every)


def _start_server(port: int, data_dir: Path) -> tuple[subprocess.Popen[str], list[str]]:
    """`sales-gateway serve` on the embedded default; its warnings and errors go to data_dir/server.log."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "GATEWAY_"))}
    env.update(GATEWAY_DATA_DIR=str(data_dir), GATEWAY_PORT=str(port), LOG_LEVEL="WARNING")
    env.update(GATEWAY_COST_BUCKET_SIZE="100000000", GATEWAY_COST_RESTORE_RATE="100000000")  # load, not budgets
    command = [str(Path(sys.executable).parent / "sales-gateway"), "serve"]
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "server.log").open("a")
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    keys: list[str] = []
    assert process.stdout is not None
    while len(keys) < 3:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("sales-gateway serve printed no demo keys")
        if match := KEY_LINE.search(line):
            keys.append(match.group(2))
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process, keys
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the gateway did not become ready")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def report(tally: Tally, seconds: float, clients: int) -> dict[str, Any]:
    memory = [mib for _, mib in tally.memory]
    half = len(memory) // 2
    return {
        "clients": clients,
        "seconds": round(seconds, 1),
        "requests": len(tally.latencies),
        "requests_per_second": round(len(tally.latencies) / seconds, 1),
        "p50_ms": round(_percentile(tally.latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(tally.latencies, 0.99) * 1000, 2),
        "outcomes": dict(tally.outcomes.most_common()),
        "server_5xx_or_transport_errors": sum(
            n for k, n in tally.outcomes.items() if k.startswith(("http", "transport"))
        ),
        "memory_mib": {
            "first": round(memory[0], 1) if memory else None,
            "max": round(max(memory), 1) if memory else None,
            "last": round(memory[-1], 1) if memory else None,
            "first_half_mean": round(statistics.mean(memory[:half]), 1) if half else None,
            "second_half_mean": round(statistics.mean(memory[half:]), 1) if half else None,
        },
        "memory_samples": [(round(t), round(m, 1)) for t, m in tally.memory],
    }


async def soak(url: str, keys: list[str], clients: int, seconds: float, pid: int | None) -> dict[str, Any]:
    tally = Tally()
    started = time.monotonic()
    deadline = started + seconds
    tasks = [_client(url, keys, deadline, tally, number) for number in range(clients)]
    if pid is not None:
        tasks.append(_sample_memory(pid, deadline, started, tally, every=max(1.0, seconds / 120)))
    await asyncio.gather(*tasks)
    return report(tally, time.monotonic() - started, clients)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--url", help="a running gateway; without it `sales-gateway serve` is started")
    parser.add_argument("--key", action="append", default=[], help="API key (repeat for several producers)")
    parser.add_argument("--pid", type=int, help="the gateway's process id, to sample its memory")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", type=Path, help="data directory of the started gateway")
    parser.add_argument("--output", type=Path, help="write the report as JSON here too")
    arguments = parser.parse_args(argv)

    process = None
    url, keys, pid = arguments.url, arguments.key, arguments.pid
    if url is None:
        data_dir = arguments.data_dir or Path(tempfile.mkdtemp(prefix="sales-gateway-soak-"))
        process, keys = _start_server(arguments.port, data_dir)
        url, pid = f"http://127.0.0.1:{arguments.port}", process.pid
    if not keys:
        parser.error("give --key (or no --url, to start a gateway with demo keys)")
    try:
        result = asyncio.run(soak(url, keys, arguments.clients, arguments.seconds, pid))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=60)
    text = json.dumps(result, indent=2)
    print(text)
    if arguments.output:
        arguments.output.write_text(text)
    return 1 if result["server_5xx_or_transport_errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
