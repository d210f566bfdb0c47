"""Relay connections: edges, nodes, page info, and a total count computed only when asked for.

A connection keeps its page of rows and builds what the query selects, when it is selected: the nodes once
(shared by `nodes` and `edges`), an edge and its cursor only for `edges`, the two cursors of `pageInfo` only
for `pageInfo`. A page of 100 sales asked for `nodes { ... }` encodes no cursor at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from loaders.paging import KeysetOrder, Page
from resolvers.pagination import encode_cursor

T = TypeVar("T")
R = TypeVar("R")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    @strawberry.field
    def cursor(self) -> str:
        return encode_cursor(*self.position)

    @strawberry.field
    def node(self) -> T:
        return self.item

    item: strawberry.Private[T]
    position: strawberry.Private[tuple[str, Any, int]]  # order name, sort value, id


@strawberry.type
class Connection(Generic[T]):
    page: strawberry.Private[Page[Any]]
    make_node: strawberry.Private[Callable[[Any], T]]
    order_name: strawberry.Private[str]
    order: strawberry.Private[KeysetOrder]
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    built: strawberry.Private[list[T] | None] = None

    @strawberry.field
    def edges(self) -> list[Edge[T]]:
        column, order_name = self.order.column, self.order_name
        return [
            Edge(item=node, position=(order_name, getattr(row, column), row.id))
            for row, node in zip(self.page.rows, self._nodes(), strict=True)
        ]

    @strawberry.field
    def nodes(self) -> list[T]:
        return self._nodes()

    @strawberry.field
    def page_info(self) -> PageInfo:
        rows = self.page.rows
        return PageInfo(
            has_next_page=self.page.has_next_page,
            has_previous_page=self.page.has_previous_page,
            start_cursor=self._cursor(rows[0]) if rows else None,
            end_cursor=self._cursor(rows[-1]) if rows else None,
        )

    @strawberry.field(description="How many items the whole list has; computed only when selected.")
    async def total_count(self) -> int:
        return await self.count()

    def _nodes(self) -> list[T]:
        if self.built is None:
            self.built = [self.make_node(row) for row in self.page.rows]
        return self.built

    def _cursor(self, row: Any) -> str:
        return encode_cursor(self.order_name, getattr(row, self.order.column), row.id)


def connection_of(
    page: Page[R],
    make_node: Callable[[R], T],
    order_name: str,
    order: KeysetOrder,
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """A connection over one keyset page; each edge's cursor is its row's position in `order`."""
    return Connection(page=page, make_node=make_node, order_name=order_name, order=order, count=count)
