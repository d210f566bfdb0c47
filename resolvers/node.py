"""`node(id:)`: any object by its global id, subject to tenancy and scopes."""

from __future__ import annotations

from typing import Any

from gateway.context import Context
from loaders.base import ProducerLoader


async def node_row(context: Context, loader_class: type[ProducerLoader[int, Any]], pk: int) -> Any:
    """The row behind an id of this producer, or None: another producer's id looks exactly like a missing one."""
    return await context.loaders.get(loader_class).load(pk)
