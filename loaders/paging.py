"""Keyset pagination in SQL: a stable order ending with the primary key, never OFFSET."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg

from loaders.base import TenantDatabase
from loaders.where import Where

R = TypeVar("R")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class KeysetOrder:
    """Order by one column (an SQL expression from our code, never from a request), then by `id`."""

    column: str
    descending: bool


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`limit` rows after `cursor` in scan order; a backward page scans the order in reverse."""

    limit: int
    backward: bool = False
    cursor: tuple[Any, int] | None = None  # (sort value, id) of the row the page starts after


@dataclass(frozen=True, slots=True)
class Page(Generic[R]):
    rows: list[R]
    has_next_page: bool
    has_previous_page: bool


def keyset_clauses(
    order: KeysetOrder, page: PageRequest, first_parameter: int, *, alias: str = ""
) -> tuple[str, str, list[Any]]:
    """(condition, ORDER BY ... LIMIT ..., parameters) for one page; parameters are numbered from `first_parameter`.

    `alias` qualifies the columns (the table's alias in the query). Rows are fetched in scan order with one
    extra row, which tells whether there is more.
    """
    prefix = f"{alias}." if alias else ""
    column, pk_column = f"{prefix}{order.column}", f"{prefix}id"
    descending = order.descending != page.backward
    direction = "desc" if descending else "asc"
    parameters: list[Any] = []
    condition = "true"
    if page.cursor is not None:
        value, pk = page.cursor
        comparison = "<" if descending else ">"
        condition = f"({column}, {pk_column}) {comparison} (${first_parameter}, ${first_parameter + 1}::bigint)"
        parameters = [value, pk]
    tail = f"order by {column} {direction}, {pk_column} {direction} limit {int(page.limit) + 1}"
    return condition, tail, parameters


def page_of(records: Sequence[T], page: PageRequest, make: Callable[[T], R]) -> Page[R]:
    """Trim the extra row, restore the requested order, and tell which way there is more."""
    has_more = len(records) > page.limit
    rows = [make(record) for record in records[: page.limit]]
    if page.backward:
        rows.reverse()
        return Page(rows=rows, has_next_page=page.cursor is not None, has_previous_page=has_more)
    return Page(rows=rows, has_next_page=has_more, has_previous_page=page.cursor is not None)


async def fetch_page(
    db: TenantDatabase,
    select: str,
    where: Where,
    order: KeysetOrder,
    page: PageRequest,
    make: Callable[[asyncpg.Record], R],
    *,
    alias: str = "",
) -> Page[R]:
    """One keyset page of `select ... from table alias` narrowed by `where`."""
    condition, tail, parameters = keyset_clauses(order, page, where.next_parameter, alias=alias)
    records = await db.fetch(f"{select} where {where.sql} and {condition} {tail}", *where.parameters, *parameters)
    return page_of(records, page, make)


def qualified(columns: str, alias: str) -> str:
    """`a, b` as `x.a, x.b`."""
    return ", ".join(f"{alias}.{name}" for name in columns.split(", "))
