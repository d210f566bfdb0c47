"""Relay connections: edges, nodes, page info, and a total count computed only when asked for."""

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
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="How many items the whole list has; computed only when selected.")
    async def total_count(self) -> int:
        return await self.count()


def connection_of(
    page: Page[R],
    make_node: Callable[[R], T],
    order_name: str,
    order: KeysetOrder,
    count: Callable[[], Awaitable[int]],
) -> Connection[T]:
    """A connection over one keyset page; each edge's cursor is its row's position in `order`."""
    edges = [
        Edge(cursor=encode_cursor(order_name, _sort_value(row, order), row.id), node=make_node(row))  # type: ignore[attr-defined]
        for row in page.rows
    ]
    return Connection(
        edges=edges,
        nodes=[edge.node for edge in edges],
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )


def _sort_value(row: Any, order: KeysetOrder) -> Any:
    return getattr(row, order.column)
