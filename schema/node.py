"""`node(id:)`: any object of the producer's by its global id."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from resolvers import node as node_resolvers
from resolvers.context import Context
from schema.common import NODE_TYPES, Node


@strawberry.field(description="Any object by its global id; null when there is none (or it is not yours).")
async def node(info: Info[Context, None], id: strawberry.ID) -> Node | None:
    found = await node_resolvers.node(info.context, id)
    if found is None:
        return None
    type_name, row = found
    built: Node = NODE_TYPES[type_name].from_row(row)
    return built
