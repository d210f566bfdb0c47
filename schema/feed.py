"""`LiveFeed`, the subscription root: the producer's events as they commit, over graphql-transport-ws."""

from __future__ import annotations

import datetime
from collections.abc import AsyncGenerator

import orjson
import strawberry
from strawberry.types import Info

from loaders.events import EventRow
from resolvers import feed as feed_resolvers
from resolvers.context import Context
from resolvers.ids import to_global_id
from schema.enums import SaleStatus
from schema.events import Event
from schema.sales import Sale


@strawberry.type(
    description="A sale's event on the live feed: the event (its id is what to resume after) and the sale as it is now."
)
class SaleEvent:
    id: strawberry.ID = strawberry.field(description="The event's id: pass it as `after` when you reconnect.")
    occurred_at: datetime.datetime
    status: SaleStatus = strawberry.field(description="The sale's status the event says it took.")
    previous_status: SaleStatus | None = strawberry.field(description="The status it had before; null when created.")
    row: strawberry.Private[EventRow]
    context: strawberry.Private[Context]

    @classmethod
    def of(cls, row: EventRow, context: Context) -> SaleEvent:
        payload = orjson.loads(row.payload)
        previous = payload.get("previousStatus")
        return cls(
            id=strawberry.ID(to_global_id("Event", row.id)),
            occurred_at=row.occurred_at,
            status=SaleStatus[payload["status"]],
            previous_status=SaleStatus[previous] if previous else None,
            row=row,
            context=context,
        )

    @strawberry.field(description="The sale as it is now; null when it is not readable any more.")
    async def sale(self) -> Sale | None:
        found = await feed_resolvers.object_of(self.context, self.row)
        return Sale.from_row(found) if found is not None else None


@strawberry.type(description="Events as they commit: subscribe over WebSocket (graphql-transport-ws) at /graphql.")
class LiveFeed:
    @strawberry.subscription(
        description="The producer's events after the event `after` (its id: what a client that reconnects saw "
        "last), or from now on: none lost, none twice. Each kind needs the scope of its objects."
    )
    async def events(
        self,
        info: Info[feed_resolvers.FeedConnection, None],
        types: list[str] | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[Event, None]:
        async for row, context in feed_resolvers.follow(info.context, types, after):
            event = Event.from_row(row)
            event.context = context  # what its fields read with: the connection's context is not a request's
            yield event

    @strawberry.subscription(description="New sales as they commit, after the event `after`. Scope: sales:read.")
    async def sale_created(
        self, info: Info[feed_resolvers.FeedConnection, None], after: strawberry.ID | None = None
    ) -> AsyncGenerator[SaleEvent, None]:
        async for row, context in feed_resolvers.follow(info.context, ["sale.created"], after):
            yield SaleEvent.of(row, context)

    @strawberry.subscription(
        description="Changes of sales' status (approved, refunded, charged back...) as they commit, after the event "
        "`after`. Scope: sales:read."
    )
    async def sale_status_changed(
        self, info: Info[feed_resolvers.FeedConnection, None], after: strawberry.ID | None = None
    ) -> AsyncGenerator[SaleEvent, None]:
        async for row, context in feed_resolvers.follow(info.context, ["sale.status_changed"], after):
            yield SaleEvent.of(row, context)
