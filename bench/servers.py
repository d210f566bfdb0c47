"""The candidates, and how each is started: its own process (tree) on 127.0.0.1, over the same database.

| name                 | what                                                             | process            |
|----------------------|------------------------------------------------------------------|--------------------|
| gateway              | this gateway as shipped (`gateway.operations.asgi:app_from_env`)  | uvicorn, W workers |
| no-batching          | the same with every DataLoader neither batching nor caching      | uvicorn, W workers |
| floor                | Starlette + asyncpg, the same SQL and JSON, no GraphQL           | uvicorn, W workers |
| postgraphile         | PostGraphile 4.14, one process                                   | node               |
| postgraphile-cluster | PostGraphile 4.14, W cluster workers (only when W > 1)            | node + W workers   |
| gateway-stock        | the gateway with GATEWAY_FAST_PATH=false (only when named)       | uvicorn, W workers |

Every server gets the same pool: DB_POOL_MIN_SIZE=2 and DB_POOL_MAX_SIZE=10 connections per process. Requests
wait for a pool connection and for their statements as long as PostGraphile's do (up to wrk's 30 s timeout):
DB_ACQUIRE_TIMEOUT_S and DB_STATEMENT_TIMEOUT_MS are raised from the gateway's 5 s defaults, which in service
answer SERVICE_UNAVAILABLE fast under overload instead of queueing; measured throughput is answers, not refusals.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx
from starlette.applications import Starlette

from bench.dataset import Dataset

log = logging.getLogger("bench.servers")

ROOT = Path(__file__).resolve().parent.parent
POSTGRAPHILE_DIR = Path(__file__).resolve().parent / "postgraphile"
POOL_MIN, POOL_MAX = 2, 10
WAIT_S = 30  # as long as wrk waits for an answer
Flavour = Literal["gateway", "postgraphile"]


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    label: str
    flavour: Flavour  # which documents it answers
    workers: int
    kind: Literal["uvicorn", "node"]
    app: str = ""  # the ASGI factory, for uvicorn
    environment: tuple[tuple[str, str], ...] = ()  # on top of the common one
    default: bool = True  # run unless --candidates names others


def candidates(workers: int) -> list[Candidate]:
    """Every candidate for a worker count; PostGraphile's cluster only when there is more than one worker.

    `gateway-stock` (the gateway with GATEWAY_FAST_PATH=false: Strawberry's own executor only) runs only when
    named with --candidates.
    """
    listed = [
        Candidate("gateway", "gateway (as shipped)", "gateway", workers, "uvicorn", "bench.servers:gateway_app"),
        Candidate(
            "no-batching", "gateway, loaders off", "gateway", workers, "uvicorn", "bench.no_batching:app_from_env"
        ),
        Candidate("floor", "floor (Starlette+asyncpg)", "gateway", workers, "uvicorn", "bench.floor:app_from_env"),
        Candidate("postgraphile", "PostGraphile 4.14, 1 process", "postgraphile", 1, "node"),
        Candidate(
            "gateway-stock",
            "gateway, stock executor",
            "gateway",
            workers,
            "uvicorn",
            "bench.servers:gateway_app",
            environment=(("GATEWAY_FAST_PATH", "false"),),
            default=False,
        ),
    ]
    if workers > 1:
        listed.append(
            Candidate("postgraphile-cluster", f"PostGraphile 4.14, {workers} workers", "postgraphile", workers, "node")
        )
    return listed


def gateway_app() -> Starlette:
    """Candidate (a): `gateway.operations.asgi:app_from_env`, with the gateway's own logging set up as `serve` does."""
    from gateway.operations.asgi import app_from_env
    from gateway.operations.logs import configure_logging
    from gateway.operations.settings import Settings

    configure_logging(Settings.from_env().log_level)
    return app_from_env()


def node_available() -> bool:
    return shutil.which("node") is not None and shutil.which("npm") is not None


def ensure_postgraphile_installed() -> None:
    """`npm ci` into bench/postgraphile/node_modules the first time (or when the lock file changed)."""
    marker = POSTGRAPHILE_DIR / "node_modules" / ".package-lock.json"
    lock = POSTGRAPHILE_DIR / "package-lock.json"
    if marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime:
        return
    print("bench: npm ci in bench/postgraphile (first use)", flush=True)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=POSTGRAPHILE_DIR, check=True, timeout=600
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(slots=True)
class Server:
    candidate: Candidate
    port: int
    process: subprocess.Popen[bytes]
    log_file: Path
    _log: object = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


ROOMY_COST_BUDGET = 100_000_000


def _environment(dataset: Dataset, log_level: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "GATEWAY_", "DB_"))}
    env.update(
        DATABASE_URL=dataset.serve_url,
        GATEWAY_ENV="development",  # development: the gateway reports x-sql-statements
        GATEWAY_GRAPHIQL="false",
        LOG_LEVEL=log_level,
        DB_ACQUIRE_TIMEOUT_S=str(WAIT_S),
        DB_STATEMENT_TIMEOUT_MS=str(WAIT_S * 1000),
        DB_POOL_MIN_SIZE=str(POOL_MIN),
        DB_POOL_MAX_SIZE=str(POOL_MAX),
        # a cost budget no run spends (the peers have none): each request is still charged, so its price is measured
        GATEWAY_COST_BUCKET_SIZE=str(ROOMY_COST_BUDGET),
        GATEWAY_COST_RESTORE_RATE=str(ROOMY_COST_BUDGET),
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


def start(candidate: Candidate, dataset: Dataset, logs: Path, *, log_level: str = "WARNING") -> Server:
    port = free_port()
    env = _environment(dataset, log_level)
    env.update(candidate.environment)
    if candidate.kind == "uvicorn":
        command = [
            sys.executable, "-m", "uvicorn", "--factory", candidate.app, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(candidate.workers), "--no-access-log", "--log-level", "warning",
            "--timeout-graceful-shutdown", "5",
        ]  # fmt: skip
    else:
        command = ["node", str(POSTGRAPHILE_DIR / "server.js")]
        env.update(
            PORT=str(port), WORKERS=str(candidate.workers), KEYS_FILE=str(dataset.keys_file), POOL_MAX=str(POOL_MAX)
        )
    logs.mkdir(parents=True, exist_ok=True)
    log_file = logs / f"{candidate.name}.log"
    handle = open(log_file, "wb")  # noqa: SIM115 - closed with the server
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    server = Server(candidate, port, process, log_file, handle)
    try:
        _wait_ready(server)
    except BaseException:
        server.stop()
        handle.close()
        raise
    return server


def _wait_ready(server: Server, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.candidate.name} exited at start; see {server.log_file}:\n{_tail(server)}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.candidate.name} did not become ready; see {server.log_file}:\n{_tail(server)}")


def _tail(server: Server) -> str:
    try:
        return server.log_file.read_text(errors="replace")[-3000:]
    except OSError:
        return ""


@contextlib.contextmanager
def running(chosen: list[Candidate], dataset: Dataset, logs: Path, *, log_level: str) -> Iterator[list[Server]]:
    """Start every chosen candidate (one after the other), yield them, and stop them all."""
    servers: list[Server] = []
    try:
        for candidate in chosen:
            servers.append(start(candidate, dataset, logs, log_level=log_level))
            print(f"bench: {candidate.name} ready on port {servers[-1].port} (pid {servers[-1].pid})", flush=True)
        yield servers
    finally:
        for server in servers:
            server.stop()
            if hasattr(server._log, "close"):
                server._log.close()
