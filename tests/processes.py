"""Servers for the tests: `sales-gateway serve` as a process of its own (a free port, the environment to give
it, the process), and an ASGI app in uvicorn on a thread."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from gateway.http.app import create_app
from gateway.operations.database import SERVING_ROLE, url_with
from tests.settings import ROOMY_COST_BUDGET, gateway_settings

SALES_GATEWAY = str(Path(sys.executable).parent / "sales-gateway")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_environment(**settings: str) -> dict[str, str]:
    """This process's environment without its database and gateway settings, then `settings`."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "GATEWAY_"))}
    environ.update(settings)
    return environ


@contextlib.contextmanager
def serving(database_url: str, log: Path, **settings: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`sales-gateway serve` over `database_url` (as the serving role) with `settings` (over its defaults: a free
    port, warnings only), once ready: its URL and process. Its output goes to `log`; it is stopped (SIGTERM) at
    the end, if it still runs."""
    port = free_port()
    defaults = {
        "DATABASE_URL": url_with(database_url, user=SERVING_ROLE),
        "DATABASE_OWNER_URL": database_url,
        "GATEWAY_PORT": str(port),
        "LOG_LEVEL": "WARNING",
        **ROOMY_COST_BUDGET,
    }
    env = serve_environment(**(defaults | settings))
    with log.open("wb") as output:
        process = subprocess.Popen([SALES_GATEWAY, "serve"], env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _ready(url):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "serve did not become ready"
            time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=60)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@contextlib.contextmanager
def serving_in_thread(app: Any, name: str, port: int | None = None) -> Iterator[str]:
    """`app` in uvicorn on 127.0.0.1 (`port`, or a free one), in a thread with its own event loop: its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, ws="websockets-sansio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), f"{name} stopped before serving"
        assert time.monotonic() < deadline, f"{name} did not start in 30 s"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@contextlib.contextmanager
def gateway_in_thread(database_url: str, name: str, **environ: str) -> Iterator[str]:
    """The gateway app over `database_url` (as the serving role), configured by `environ`, served by
    `serving_in_thread`: its base URL."""
    app = create_app(gateway_settings(environ), url_with(database_url, user=SERVING_ROLE))
    with serving_in_thread(app, name) as url:
        yield url
