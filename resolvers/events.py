"""Events: what changed, in the order it committed; each kind readable with the scope of its objects."""

from __future__ import annotations

from loaders.events import EVENT_TYPES, EVENTS, EventRow
from loaders.where import Filters
from resolvers.context import Context
from resolvers.errors import BadUserInput, Forbidden
from resolvers.lists import ListPage, Window, list_page
from resolvers.node import NODE_LOADERS


def scope_of(event_type: str) -> str | None:
    """The scope reading an event needs: the scope of the object it is about."""
    return NODE_LOADERS[EVENT_TYPES[event_type]][1]


def readable_types(context: Context, asked: list[str] | None) -> list[str]:
    """The event types a request reads: those asked for (all, when none), each known and within the key's scopes."""
    if asked is not None:
        unknown = sorted(set(asked) - EVENT_TYPES.keys())
        if unknown:
            raise BadUserInput(f"Unknown event type(s): {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}")
        for event_type in asked:
            scope = scope_of(event_type)
            if scope is not None and not context.principal.can(scope):
                raise Forbidden(f"Reading `{event_type}` events needs the `{scope}` scope, which this API key lacks")
        return asked
    readable = [t for t in EVENT_TYPES if (scope := scope_of(t)) is None or context.principal.can(scope)]
    if not readable:
        raise Forbidden("This API key has no scope that reads any kind of event")
    return readable


async def events(context: Context, filters: Filters, window: Window) -> ListPage[EventRow]:
    """The producer's events, oldest first: every insert and change of state, whoever wrote it, in the order of
    the transactions that wrote them. An event appears once every older transaction has ended, so a reader
    going on from its last page never passes over one that commits later. Each kind needs the scope of its
    objects (`sale.*`: sales:read, `refund.*`: refunds:read...)."""
    types = readable_types(context, filters.get("types"))
    return await list_page(context, EVENTS, {"types": types}, window, scope=None)  # scopes: per type
