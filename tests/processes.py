"""Running `sales-gateway serve` as a process of its own: a free port and the environment to give it."""

from __future__ import annotations

import os
import socket


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_environment(**settings: str) -> dict[str, str]:
    """This process's environment without its database and gateway settings, then `settings`."""
    environ = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "GATEWAY_"))}
    environ.update(settings)
    return environ
