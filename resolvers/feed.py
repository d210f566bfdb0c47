"""The live feed: a producer's events as they commit, over a GraphQL subscription, from a given event on.

The outbox is the truth (`loaders.events`): a follower reads the events after its cursor, yields them, and
when there are none waits to be woken (the gateway listens for the database's notifications) or for a short
while, then reads again. It never holds more than one page of events, and reads the next page only once the
client has taken the last one, so a slow client slows only its own feed, and one that leaves an event untaken
for `GATEWAY_FEED_SLOW_CLIENT_S` is disconnected (close code 1013: reconnect, with `after`). A follower that
resumes after an event it saw receives everything after it, none twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from loaders.events import EVENTS, EventByIdLoader, EventRow
from loaders.keyset import PageRequest
from resolvers.context import Context
from resolvers.errors import BadUserInput
from resolvers.events import readable_types
from resolvers.ids import pk_of, to_global_id
from resolvers.node import node

PAGE = 100  # events read at once
IDLE_CHECK_S = 1.0  # with nothing new, read again after this long even if nothing woke the feed


class FeedConnection(Protocol):
    """What a live-feed connection gives its followers: a fresh context per follower, and a way to wait for
    the producer's next change."""

    def open_context(self) -> Context: ...

    def handing_over(self) -> None:
        """An event is on its way to the client (a client that takes too long to take it is disconnected)."""

    def handed_over(self) -> None:
        """The client took it."""

    async def wait_for_changes(self, producer_id: int, at_most_s: float) -> None: ...


async def follow(
    connection: FeedConnection, types: list[str] | None, after: str | None
) -> AsyncIterator[tuple[EventRow, Context]]:
    """The events of the key's producer after the event `after` (by its id), or from now on, each with a fresh
    context to resolve it with (nothing cached carries over). Scopes apply per event type."""
    context = connection.open_context()
    readable = readable_types(context, types)
    try:
        cursor = await _start(context, after)
        await context.db.close()
        while True:
            page = await EVENTS.page(
                context.db,
                {"types": readable},
                PageRequest(limit=PAGE, order=EVENTS.default_order, cursor=cursor),
            )
            await context.db.close()  # no connection is held while the client takes its events
            for row in page.rows:
                cursor = (row.xid, row.id)
                event_context = connection.open_context()
                connection.handing_over()
                yield row, event_context
                connection.handed_over()
                await event_context.db.close()  # whatever resolving the event read
            if not page.has_next_page:
                await connection.wait_for_changes(context.producer_id, IDLE_CHECK_S)
    finally:
        await context.db.close()


async def _start(context: Context, after: str | None) -> tuple[int, int] | None:
    """Where the feed starts: after the event named, or after the last event readable now."""
    if after is not None:
        found: EventRow | None = await context.loaders.get(EventByIdLoader).load(pk_of(after, "Event"))
        if found is None:
            raise BadUserInput(
                f"No event {after[:100]!r}: it is not yours, or older than the retention; read `events` to catch up"
            )
        return found.xid, found.id
    last = await EVENTS.page(context.db, {}, PageRequest(limit=1, order=EVENTS.default_order, backward=True))
    return (last.rows[0].xid, last.rows[0].id) if last.rows else None


async def object_of(context: Context, event: EventRow) -> Any:
    """The row of the object an event is about, as it is now; None when it is not readable any more."""
    found = await node(context, to_global_id(event.object_type, event.object_pk))
    return None if found is None else found[1]
