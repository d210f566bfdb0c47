"""Drive load at one server and measure what it cost.

The driver is `wrk` (one thread, `-c` connections, keep-alive) with a Lua script that sends the query's body
with a random producer's key per request and counts response bytes and GraphQL errors; without wrk, a Python
asyncio + httpx driver does the same (slower: it takes more of the machine's CPU from the servers).

Around each timed run the harness reads:
- CPU seconds (user + system) of the server's process tree (uvicorn and its workers, or node and its cluster
  workers), of PostgreSQL's (the postmaster and every backend) and of the load generator;
- the server tree's resident memory, sampled every 0.2 s (the peak is reported; workers' shared pages are
  counted once per worker);
- SQL statements, from `pg_stat_statements` (calls of the serving role, the only role the servers use): all
  statements, and those that are neither transaction control (BEGIN/COMMIT/ROLLBACK/SET...) nor asyncpg's
  reset of a connection released to its pool (UNLISTEN, CLOSE ALL, RESET ALL, pg_advisory_unlock_all(): one
  round trip). It counts what PostgreSQL ran, for every candidate alike, including the key lookup.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import asyncpg
import httpx
import orjson
import psutil  # type: ignore[import-untyped]

from bench.dataset import Dataset
from bench.queries import BenchQuery
from bench.servers import Server

Driver = Literal["wrk", "python"]
# transaction control, and asyncpg's reset of a connection given back to its pool (4 statements, 1 round trip)
HOUSEKEEPING = (
    r"^\s*(begin|start transaction|commit|rollback|end|set\s|reset|savepoint|release|discard|show|unlisten|close all"
    r"|select pg_advisory_unlock_all\(\))"
)
SERVING_ROLE_SQL = """
select coalesce(sum(calls), 0)::bigint as all_calls,
       coalesce(sum(calls) filter (where query !~* $2), 0)::bigint as data_calls
from pg_stat_statements s join pg_roles r on r.oid = s.userid
where r.rolname = $1
"""


@dataclass(slots=True)
class Sample:
    """One timed run."""

    requests: int
    seconds: float
    errors: int  # non-2xx, socket errors, and answers with GraphQL errors
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    response_bytes: float  # mean body size
    server_cpu_ms: float  # per request
    postgres_cpu_ms: float  # per request
    server_cores: float  # CPU seconds per second of the run
    postgres_cores: float
    loadgen_cores: float
    other_cores: float  # everything else on the machine (other programs, the idle candidates)
    sql_per_request: float  # statements other than transaction control and the pool's connection reset
    sql_all_per_request: float  # every statement
    peak_rss_mib: float


def default_driver() -> Driver:
    return "wrk" if shutil.which("wrk") else "python"


def keys_for(query: BenchQuery, dataset: Dataset) -> list[str]:
    if query.producers == "large":
        return [dataset.key(dataset.large_producer)]
    return [dataset.keys[producer_id] for producer_id in sorted(dataset.keys)]


# ---- CPU, memory and statements ---------------------------------------------------------------------------


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


CpuSnapshot = dict[int, tuple[float, float]]  # pid -> (create time, CPU seconds)


def tree_cpu(pid: int) -> CpuSnapshot:
    """CPU seconds (user + system) of every process of a tree, by pid."""
    snapshot: CpuSnapshot = {}
    for process in _tree(pid):
        try:
            times = process.cpu_times()
            snapshot[process.pid] = (process.create_time(), times.user + times.system)
        except psutil.NoSuchProcess:
            continue
    return snapshot


def cpu_used(before: CpuSnapshot, after: CpuSnapshot) -> float:
    """CPU seconds spent between two snapshots by the processes alive at the second: what a process that was
    already there had before is subtracted, a new one counts whole. (A process that ended in between is lost,
    rather than its whole past being subtracted: pools close idle connections, and PostgreSQL's backends go
    with them.)"""
    total = 0.0
    for pid, (created, seconds) in after.items():
        earlier = before.get(pid)
        total += seconds - earlier[1] if earlier is not None and earlier[0] == created else seconds
    return total


def tree_rss(pid: int) -> int:
    total = 0
    for process in _tree(pid):
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


class PeakMemory:
    """Samples a process tree's RSS in a thread while the block runs."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def _statement_counts(owner_url: str, role: str) -> tuple[int, int]:
    connection = await asyncpg.connect(owner_url)
    try:
        row = await connection.fetchrow(SERVING_ROLE_SQL, role, HOUSEKEEPING)
        assert row is not None
        return int(row["all_calls"]), int(row["data_calls"])
    finally:
        await connection.close()


def statement_counts(dataset: Dataset) -> tuple[int, int]:
    from gateway.operations.database import SERVING_ROLE

    return asyncio.run(_statement_counts(dataset.owner_url, SERVING_ROLE))


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (every core, every process), from /proc/stat."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---- wrk ------------------------------------------------------------------------------------------------


def _lua_string(text: str) -> str:
    level = "=" * 4
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


def wrk_script(body: bytes, keys: list[str]) -> str:
    key_list = ",\n".join(f'  "{key}"' for key in keys)
    return f"""-- generated by bench/load.py
local body = {_lua_string(body.decode())}
local keys = {{
{key_list}
}}
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
  bytes = 0
  responses = 0
  math.randomseed(os.time() + os.clock() * 1000000)
end

function request()
  local key = keys[math.random(#keys)]
  return wrk.format("POST", "/graphql", {{["Content-Type"] = "application/json",
                                         ["Authorization"] = "Bearer " .. key}}, body)
end

function response(status, headers, text)
  responses = responses + 1
  bytes = bytes + #text
  if status ~= 200 or string.find(text, '"errors"', 1, true) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local errors_total, bytes_total, responses_total = 0, 0, 0
  for _, thread in ipairs(threads) do
    errors_total = errors_total + thread:get("errors")
    bytes_total = bytes_total + thread:get("bytes")
    responses_total = responses_total + thread:get("responses")
  end
  local e = summary.errors
  io.write(string.format(
    '\\nBENCH {{"requests": %d, "duration_us": %d, "errors": %d, "socket_errors": %d, "bytes": %d, ' ..
    '"responses": %d, "p50_us": %.1f, "p99_us": %.1f}}\\n',
    summary.requests, summary.duration, errors_total, e.connect + e.read + e.write + e.timeout, bytes_total,
    responses_total, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(slots=True)
class _Raw:
    requests: int
    seconds: float
    errors: int
    bytes: int
    p50_ms: float
    p99_ms: float
    loadgen_cpu_s: float


def _run_wrk(url: str, script: Path, concurrency: int, seconds: int) -> _Raw:
    command = [
        "wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script), f"{url}/graphql",
    ]  # fmt: skip
    before = _children_cpu()
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 120)
    used = _children_cpu() - before
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stdout[-2000:]} {result.stderr[-2000:]}")
    data = json.loads(line[len("BENCH ") :])
    responses = max(int(data["responses"]), 1)
    return _Raw(
        requests=int(data["requests"]),
        seconds=int(data["duration_us"]) / 1e6,
        errors=int(data["errors"]) + int(data["socket_errors"]),
        bytes=int(data["bytes"]) // responses,
        p50_ms=float(data["p50_us"]) / 1000,
        p99_ms=float(data["p99_us"]) / 1000,
        loadgen_cpu_s=used,
    )


# ---- Python driver --------------------------------------------------------------------------------------


async def _python_load(url: str, body: bytes, keys: list[str], concurrency: int, seconds: float) -> _Raw:
    latencies: list[float] = []
    errors = 0
    total_bytes = 0
    deadline = 0.0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors, total_bytes
        while time.perf_counter() < deadline:
            headers = {"content-type": "application/json", "authorization": f"Bearer {random.choice(keys)}"}
            started = time.perf_counter()
            try:
                response = await http.post("/graphql", content=body, headers=headers)
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)
            total_bytes += len(response.content)
            if response.status_code != 200 or b'"errors"' in response.content:
                errors += 1

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        cpu_before = _self_cpu()
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        used = _self_cpu() - cpu_before
    ordered = sorted(latencies) or [float("nan")]
    return _Raw(
        requests=len(latencies),
        seconds=elapsed,
        errors=errors,
        bytes=total_bytes // max(len(latencies), 1),
        p50_ms=ordered[int(0.50 * (len(ordered) - 1))] * 1000,
        p99_ms=ordered[int(0.99 * (len(ordered) - 1))] * 1000,
        loadgen_cpu_s=used,
    )


# ---- one point: warm-up, then runs ----------------------------------------------------------------------


@dataclass(slots=True)
class Point:
    candidate: str
    query: str
    concurrency: int
    workers: int
    driver: str
    runs: list[Sample]

    def median(self, name: str) -> float:
        return float(statistics.median(getattr(sample, name) for sample in self.runs))

    def as_json(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "query": self.query,
            "concurrency": self.concurrency,
            "workers": self.workers,
            "driver": self.driver,
            "median": {name: self.median(name) for name in Sample.__dataclass_fields__},
            "runs": [asdict(sample) for sample in self.runs],
        }


class Loader:
    """Runs points against servers, with scripts written once per (server, query)."""

    def __init__(self, dataset: Dataset, driver: Driver, scripts: Path) -> None:
        self.dataset, self.driver = dataset, driver
        self.scripts = scripts
        scripts.mkdir(parents=True, exist_ok=True)
        self.postmaster_pid = dataset.postmaster_pid

    def _body(self, server: Server, query: BenchQuery) -> bytes:
        return orjson.dumps(query.body(server.candidate.flavour, self.dataset.anchor))

    def _script(self, server: Server, query: BenchQuery) -> Path:
        path = self.scripts / f"{server.candidate.flavour}-{query.name}.lua"
        text = wrk_script(self._body(server, query), keys_for(query, self.dataset))
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
        return path

    def _drive(self, server: Server, query: BenchQuery, concurrency: int, seconds: float) -> _Raw:
        if self.driver == "wrk":
            return _run_wrk(server.url, self._script(server, query), concurrency, max(1, round(seconds)))
        body, keys = self._body(server, query), keys_for(query, self.dataset)
        return asyncio.run(_python_load(server.url, body, keys, concurrency, seconds))

    def settle(self, servers: list[Server], *, limit: float = 60.0) -> None:
        """Wait until the server and PostgreSQL are idle: when the driver stops, the requests it leaves in
        flight (dozens at high concurrency, seconds each) are still run, and would be counted in the next
        sample, of whichever candidate comes next."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            pids = [server.pid for server in servers] + [self.postmaster_pid]
            before = [tree_cpu(pid) for pid in pids]
            time.sleep(0.3)
            busy = sum(cpu_used(earlier, tree_cpu(pid)) for pid, earlier in zip(pids, before, strict=True))
            if busy < 0.03 * len(pids):
                return

    def sample(self, server: Server, query: BenchQuery, concurrency: int, seconds: float) -> Sample:
        statements_before = statement_counts(self.dataset)
        server_before = tree_cpu(server.pid)
        postgres_before = tree_cpu(self.postmaster_pid)
        busy_before = machine_busy_seconds()
        with PeakMemory(server.pid) as memory:
            raw = self._drive(server, query, concurrency, seconds)
        busy_used = machine_busy_seconds() - busy_before
        time.sleep(0.2)  # let the requests in flight when the driver stopped finish
        server_used = cpu_used(server_before, tree_cpu(server.pid))
        postgres_used = cpu_used(postgres_before, tree_cpu(self.postmaster_pid))
        statements_after = statement_counts(self.dataset)
        requests = max(raw.requests, 1)
        return Sample(
            requests=raw.requests,
            seconds=round(raw.seconds, 3),
            errors=raw.errors,
            requests_per_second=raw.requests / raw.seconds if raw.seconds else 0.0,
            p50_ms=raw.p50_ms,
            p99_ms=raw.p99_ms,
            response_bytes=raw.bytes,
            server_cpu_ms=1000 * server_used / requests,
            postgres_cpu_ms=1000 * postgres_used / requests,
            server_cores=server_used / raw.seconds if raw.seconds else 0.0,
            postgres_cores=postgres_used / raw.seconds if raw.seconds else 0.0,
            loadgen_cores=raw.loadgen_cpu_s / raw.seconds if raw.seconds else 0.0,
            other_cores=max(0.0, busy_used - server_used - postgres_used - raw.loadgen_cpu_s) / raw.seconds
            if raw.seconds
            else 0.0,
            sql_per_request=(statements_after[1] - statements_before[1]) / requests,
            sql_all_per_request=(statements_after[0] - statements_before[0]) / requests,
            peak_rss_mib=memory.peak / 2**20,
        )

    def points(
        self, servers: list[Server], query: BenchQuery, concurrency: int, *, warmup: float, seconds: float, runs: int
    ) -> list[Point]:
        """One point per server: each warmed up, then the runs taken in turns (server 1, 2, ..., 1, 2, ...), so
        that a disturbance of the machine falls on one run of several candidates rather than on every run of
        one of them; the median then leaves it out."""
        for server in servers:
            if warmup > 0:
                self.settle(servers)
                self._drive(server, query, concurrency, warmup)
        samples: dict[str, list[Sample]] = {server.candidate.name: [] for server in servers}
        for _ in range(runs):
            for server in servers:
                self.settle(servers)
                samples[server.candidate.name].append(self.sample(server, query, concurrency, seconds))
        self.settle(servers)
        return [
            Point(
                server.candidate.name,
                query.name,
                concurrency,
                server.candidate.workers,
                self.driver,
                samples[server.candidate.name],
            )
            for server in servers
        ]


@contextmanager
def scripts_folder(out: Path | None) -> Iterator[Path]:
    if out is not None:
        yield out / "lua"
        return
    with tempfile.TemporaryDirectory(prefix="bench-lua-") as folder:
        yield Path(folder)
