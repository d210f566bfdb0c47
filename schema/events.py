"""Events: what changed in the producer's data, as the database recorded it (migration 0010), and their list."""

from __future__ import annotations

import datetime

import orjson
import strawberry
from strawberry.types import Info

from loaders.events import EventRow
from resolvers import node as node_resolvers
from resolvers.context import Context
from resolvers.ids import to_global_id
from schema.common import NODE_TYPES, Node
from schema.rows import FromRow, row_type
from schema.scalars import JSON


@strawberry.input(description="Every condition given must hold.")
class EventFilter:
    types: list[str] | None = strawberry.field(
        default=None, description="Only events of these types (`sale.created`, `refund.approved`...)."
    )


@row_type(
    EventRow,
    id=lambda row: to_global_id("Event", row.id),
    object_id=lambda row: to_global_id(row.object_type, row.object_pk),
    payload=lambda row: orjson.loads(row.payload),
    context=lambda row: None,
)
@strawberry.type(
    description="Something that happened to the producer's data, whoever wrote it (this API, the checkout): an "
    "insert or a change of state. Events come in the order of the transactions that wrote them. Readable with "
    "the scope of its object."
)
class Event(FromRow):
    id: strawberry.ID
    type: str = strawberry.field(description="`sale.created`, `sale.status_changed`, `refund.approved`...")
    object_type: str = strawberry.field(description="The type of the object it is about.")
    object_id: strawberry.ID = strawberry.field(description="The id of the object it is about.")
    occurred_at: datetime.datetime
    payload: JSON = strawberry.field(
        description="A few of the object's fields as they were then (amounts as decimal strings)."
    )
    row: strawberry.Private[EventRow]
    context: strawberry.Private[Context | None]  # its own, on the live feed; else the request's

    @strawberry.field(description="The object as it is now; null when it is not readable any more.")
    async def object(self, info: Info[Context, None]) -> Node | None:
        found = await node_resolvers.node(self.context or info.context, self.object_id)
        if found is None:
            return None
        type_name, row = found
        built: Node = NODE_TYPES[type_name].from_row(row)
        return built
