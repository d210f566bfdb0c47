"""Candidate (b): the gateway as shipped, with its DataLoaders turned off.

Every `loaders.database.ProducerLoader` (so every loader of the gateway) is made to neither batch nor cache:
each `load(key)` runs `batch_load_fn([key])` at once, one statement per object, as resolvers that query
the database themselves would. Nothing else changes; the gateway's code is patched in this process only.

    uvicorn --factory bench.no_batching:app_from_env
"""

from __future__ import annotations

from starlette.applications import Starlette

from bench.servers import gateway_app
from loaders.batching import ProducerLoader


def turn_off_batching() -> None:
    """DataLoader reads these class attributes when a loader is built (aiodataloader)."""
    ProducerLoader.batch = False
    ProducerLoader.cache = False


def app_from_env() -> Starlette:
    turn_off_batching()
    return gateway_app()
