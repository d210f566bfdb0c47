"""The real JavaScript clients the tests run (tests/clients: npm packages pinned by package-lock.json)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CLIENTS = Path(__file__).resolve().parent / "clients"


def installed_clients() -> Path:
    """tests/clients with its packages installed (`npm ci`, the first time or when the lock file changed)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.fail("The client tests need Node.js and npm (Debian's nodejs and npm packages)", pytrace=False)
    marker, lock = CLIENTS / "node_modules" / ".package-lock.json", CLIENTS / "package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CLIENTS, check=True, timeout=600
        )
    return CLIENTS


def run_client(script: str, *arguments: str) -> Any:
    """Run `node tests/clients/<script> <arguments>`; the JSON it printed last."""
    done = subprocess.run(
        ["node", script, *arguments], cwd=installed_clients(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_tool(name: str, *arguments: str, cwd: Path | None = None, environment: dict[str, str] | None = None) -> None:
    """Run the command `name` of tests/clients/node_modules/.bin (in `cwd`, tests/clients by default); it must
    succeed."""
    tool = installed_clients() / "node_modules" / ".bin" / name
    done = subprocess.run(
        [str(tool), *arguments],
        cwd=cwd or CLIENTS,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(environment or {})},
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
