"""`LiveFeed`, the subscription root: the producer's events as they commit, over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from resolvers import feed as feed_resolvers
from schema.events import Event


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
