"""Relay connections: every list field of the schema, root or nested, made by `connection_field`.

A connection keeps its page of rows and builds what the query selects, when it is selected: the nodes once
(shared by `nodes` and `edges`), an edge and its cursor only for `edges`, the two cursors of `pageInfo` only
for `pageInfo`, the total count only for `totalCount`. A page of 100 sales asked for `nodes { ... }` encodes
no cursor at all.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types import Info

from resolvers.lists import ListPage, Window
from schema.cost import COUNT, cost
from schema.filters import filters_of
from schema.rows import type_of

T = TypeVar("T")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    item: strawberry.Private[T]
    row: strawberry.Private[Any]
    listed: strawberry.Private[ListPage[Any]]

    @strawberry.field
    def cursor(self) -> str:
        return self.listed.cursor(self.row)

    @strawberry.field
    def node(self) -> T:
        return self.item


@strawberry.type
class Connection(Generic[T]):
    listed: strawberry.Private[ListPage[Any]]
    built: strawberry.Private[list[T] | None] = None

    @strawberry.field
    def edges(self) -> list[Edge[T]]:
        listed = self.listed
        return [
            Edge(item=node, row=row, listed=listed) for row, node in zip(listed.page.rows, self._nodes(), strict=True)
        ]

    @strawberry.field
    def nodes(self) -> list[T]:
        return self._nodes()

    @strawberry.field
    def page_info(self) -> PageInfo:
        listed, rows = self.listed, self.listed.page.rows
        return PageInfo(
            has_next_page=listed.page.has_next_page,
            has_previous_page=listed.page.has_previous_page,
            start_cursor=listed.cursor(rows[0]) if rows else None,
            end_cursor=listed.cursor(rows[-1]) if rows else None,
        )

    @strawberry.field(
        description="How many items the whole list has; computed only when selected.", metadata=cost(COUNT)
    )
    async def total_count(self) -> int:
        return await self.listed.count()

    def _nodes(self) -> list[T]:
        if self.built is None:
            rows = self.listed.page.rows
            self.built = list(map(type_of(rows[0]).from_row, rows)) if rows else []
        return self.built


Fetch = Callable[..., Awaitable[ListPage[Any]]]

_WINDOW = ("first", int), ("after", str), ("last", int), ("before", str)


def connection_field(
    fetch: Fetch,
    *,
    description: str | None = None,
    filter: type | None = None,
    order: type | None = None,
    parent: bool = False,
) -> Any:
    """A connection field: `first`/`after`/`last`/`before`, then `filter` and `orderBy` if given.

    `fetch` is the list's resolver, and its docstring the field's description unless one is given. It is called
    with the context, then the parent's row if `parent` (a nested list), then the filter's values if `filter`
    (an input, `schema/filters.py`), the window, and the order's name if `order` (an input with `name`; None
    for the list's default). Its page becomes a `Connection` of the Node type of its rows (`schema/rows.py`).
    """

    async def resolve(self: Any, info: Info[Any, None], **arguments: Any) -> Connection[Any]:
        leading: list[Any] = [self.row] if parent else []
        if filter is not None:
            leading.append(filters_of(arguments["filter"]))
        window = Window(arguments["first"], arguments["after"], arguments["last"], arguments["before"])
        trailing = [] if order is None else [arguments["order_by"].name if arguments["order_by"] else None]
        return Connection(listed=await fetch(info.context, *leading, window, *trailing))

    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("info", keyword, annotation=Info),
        *(inspect.Parameter(name, keyword, default=None, annotation=kind | None) for name, kind in _WINDOW),
        *(
            inspect.Parameter(name, keyword, default=None, annotation=kind | None)
            for name, kind in (("filter", filter), ("order_by", order))
            if kind is not None
        ),
    ]
    resolve.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return strawberry.field(resolver=resolve, description=description or inspect.getdoc(fetch))
