"""Lists a producer pages through, declared once: keyset pagination on a stable order ending with the id.

A `KeysetList` says where a list's rows come from, the filters it takes (`Condition`s, by name),
the orders it offers (each ending with `id`, the tie-breaker) and how a row is made; `page` and `count` are
the only SQL a list needs. Pages are keyset pages, never OFFSET: `(column, id) < (cursor value, cursor id)`.
`ChildPagesLoader` pages a list per parent row (the charges of each subscription) in one statement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar

from loaders.batching import ProducerLoader, column_list
from loaders.database import TenantDatabase
from loaders.where import Condition, Filters, Where

R = TypeVar("R")

ValueKind = Literal["datetime", "decimal", "integer"]

# the oldest transaction still running when the request's snapshot was taken: every transaction older than it
# has ended, so what a reader has not seen of them yet can only come after what it has (migration 0010)
OLDEST_RUNNING = "(select pg_snapshot_xmin(pg_current_snapshot())::text::bigint)"  # once per statement
# the UPDATED_AT order is by the transaction that last wrote the row, which is `updated_at`'s order but for
# transactions running side by side (migration 0010)
ORDER_COLUMNS = {"updated_at": "updated_xid"}


@dataclass(frozen=True, slots=True)
class KeysetOrder:
    """Order by one column (an SQL expression of our code, never of a request), then by `id`."""

    column: str
    descending: bool
    kind: ValueKind = "datetime"  # the column's type, as cursors carry it


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`limit` rows after `cursor` in scan order; a backward page scans the order in reverse."""

    limit: int
    order: KeysetOrder
    backward: bool = False
    cursor: tuple[Any, int] | None = None  # (sort value, id) of the row the page starts after


@dataclass(frozen=True, slots=True)
class Page(Generic[R]):
    rows: list[R]
    has_next_page: bool
    has_previous_page: bool
    joined: Sequence[list[Any]] = ()  # per `Join` asked for: the row each listed row names (None: no such row)


@dataclass(frozen=True, slots=True)
class Join:
    """A to-one relation fetched with a page: the row of `table` (made as `row_type`) whose id is the listed
    row's `key` column, in the same statement (a lateral join per row of the page)."""

    key: str
    table: str
    row_type: type[Any]


@dataclass(frozen=True)
class KeysetList(Generic[R]):
    """A list of one table's rows, narrowed by filters: values by the names of its conditions.

    `source` is the table and its alias (`"sales s"`); the conditions and `always` are SQL on that alias.
    `order_names` name the orders the list offers as the API does (`"CREATED_AT:DESC"`): the column, then the
    direction; the first is the default.
    """

    name: str  # what the list's cursors are marked with
    row_type: type[R]
    source: str
    order_names: Sequence[str]
    conditions: Sequence[Condition] = ()
    always: Sequence[str] = ()  # what every row of the list meets
    alias: str = field(init=False)
    select: str = field(init=False)
    orders: Mapping[str, KeysetOrder] = field(init=False)

    def __post_init__(self) -> None:
        table, alias = self.source.split()
        columns = ", ".join(f"{alias}.{name}" for name in column_list(self.row_type).split(", "))
        types = {column.name: str(column.type) for column in dataclasses.fields(self.row_type)}  # type: ignore[arg-type]
        orders = {name: _order(name, types) for name in self.order_names}
        object.__setattr__(self, "alias", alias)
        object.__setattr__(self, "select", f"select {columns} from {table} {alias}")
        object.__setattr__(self, "orders", orders)

    @property
    def default_order(self) -> KeysetOrder:
        return next(iter(self.orders.values()))

    def renamed(self, name: str, **changes: Any) -> KeysetList[R]:
        """The same rows under another cursor name (a nested list), with other orders if given."""
        return dataclasses.replace(self, name=name, **changes)

    def where(self, producer_id: int, filters: Filters) -> Where:
        unknown = filters.keys() - {condition.name for condition in self.conditions}
        if unknown:  # a filter that would silently not filter: a bug of ours
            raise ValueError(f"{self.name} has no filter {', '.join(sorted(unknown))}")
        where = Where()
        where.add(f"{self.alias}.producer_id = {{0}}", producer_id)
        for sql in self.always:
            where.add(sql)
        for condition in self.conditions:
            condition.apply(where, filters.get(condition.name))
        return where

    def settled(self, where: Where, filters: Filters, order: KeysetOrder | None) -> None:
        """A sync (`updated_since`, or the UPDATED_AT order) reads only rows written by transactions that had all
        ended when the request began: a row a slow transaction is writing appears once it commits, after what
        the sync has seen."""
        if filters.get("updated_since") is not None or (order is not None and order.column == "updated_xid"):
            where.add(f"{self.alias}.updated_xid < {OLDEST_RUNNING}")

    async def page(
        self, db: TenantDatabase, filters: Filters, page: PageRequest, joins: Sequence[Join] = ()
    ) -> Page[R]:
        """One page; with `joins`, the rows each listed row names come in the same statement (`Page.joined`)."""
        where = self.where(db.producer_id, filters)
        self.settled(where, filters, page.order)
        condition, tail, parameters = keyset_clauses(page, where.next_parameter, self.alias)
        sql = f"{self.select} where {where.sql} and {condition} {tail}"
        if not joins:
            return page_of(await db.fetch(sql, *where.parameters, *parameters), page, self.row_type)
        producer = f"${where.next_parameter + len(parameters)}::bigint"
        width = len(dataclasses.fields(self.row_type))  # type: ignore[arg-type]
        selected, joined = ["listed.*"], []
        for n, join in enumerate(joins):
            columns = column_list(join.row_type).split(", ")
            selected += [f"j{n}.{column}" for column in columns]
            joined.append(
                f"left join lateral (select {', '.join(columns)} from {join.table} where producer_id = {producer}"
                f" and id = listed.{join.key}) j{n} on true"
            )
        records = await db.fetch(
            f"select {', '.join(selected)} from ({sql}) listed {' '.join(joined)} {order_by(page, 'listed')}",
            *where.parameters,
            *parameters,
            db.producer_id,
        )
        return page_of(records, page, self.row_type, width, joins)

    async def count(self, db: TenantDatabase, filters: Filters) -> int:
        where = self.where(db.producer_id, filters)
        self.settled(where, filters, None)
        sql = f"select count(*) from {self.source} where {where.sql}"
        return int(await db.fetchval(sql, *where.parameters))


def synced_orders(*names: str) -> tuple[str, ...]:
    """The orders `names` (the first is the default), each of their columns both ways, then `UPDATED_AT` both
    ways: the orders of a list whose rows carry `updated_at`, which a sync pages through."""
    orders = list(names)
    for column in [name.split(":")[0] for name in names] + ["UPDATED_AT"]:
        for direction in ("DESC", "ASC") if column != "UPDATED_AT" else ("ASC", "DESC"):
            if f"{column}:{direction}" not in orders:
                orders.append(f"{column}:{direction}")
    return tuple(orders)


def _order(name: str, column_types: Mapping[str, str]) -> KeysetOrder:
    """The order named `COLUMN:DIRECTION`; its cursors carry a decimal, a whole number or a date-time, as the
    column is."""
    column, direction = name.lower().split(":")
    column = ORDER_COLUMNS.get(column, column)
    declared = column_types[column]
    kind: ValueKind = "decimal" if "Decimal" in declared else "integer" if declared == "int" else "datetime"
    return KeysetOrder(column, descending=direction == "desc", kind=kind)


def keyset_clauses(page: PageRequest, first_parameter: int, alias: str) -> tuple[str, str, list[Any]]:
    """(condition, ORDER BY ... LIMIT ..., parameters) for one page; parameters are numbered from `first_parameter`.

    Rows are fetched in scan order with one extra row, which tells whether there is more.
    """
    column, pk_column = f"{alias}.{page.order.column}", f"{alias}.id"
    descending = page.order.descending != page.backward
    parameters: list[Any] = []
    condition = "true"
    if page.cursor is not None:
        value, pk = page.cursor
        comparison = "<" if descending else ">"
        condition = f"({column}, {pk_column}) {comparison} (${first_parameter}, ${first_parameter + 1}::bigint)"
        parameters = [value, pk]
    tail = f"{order_by(page, alias)} limit {int(page.limit) + 1}"
    return condition, tail, parameters


def order_by(page: PageRequest, alias: str) -> str:
    """The ORDER BY of a page's scan, on the columns of `alias`."""
    direction = "desc" if page.order.descending != page.backward else "asc"
    return f"order by {alias}.{page.order.column} {direction}, {alias}.id {direction}"


def page_of(
    records: Sequence[Any],
    page: PageRequest,
    make: Callable[..., R],
    width: int | None = None,
    joins: Sequence[Join] = (),
) -> Page[R]:
    """Trim the extra row, restore the requested order, and tell which way there is more. With `joins`, each
    record is the row's `width` columns, then each joined row's columns (all null when it names none)."""
    has_more = len(records) > page.limit
    kept = records[: page.limit]
    if page.backward:
        kept = kept[::-1]
    joined: list[list[Any]] = []
    if joins:
        assert width is not None
        rows = [make(*record[:width]) for record in kept]
        start = width
        for join in joins:
            size = len(dataclasses.fields(join.row_type))
            joined.append(
                [None if record[start] is None else join.row_type(*record[start : start + size]) for record in kept]
            )
            start += size
    else:
        rows = [make(*record) for record in kept]
    if page.backward:
        return Page(rows, has_next_page=page.cursor is not None, has_previous_page=has_more, joined=joined)
    return Page(rows, has_next_page=has_more, has_previous_page=page.cursor is not None, joined=joined)


class ChildPagesLoader(ProducerLoader[tuple[int, PageRequest], Page[R]]):
    """A page of `keyset_list` per parent id (rows whose `parent_column` is it): one statement per distinct
    page request, a lateral join over the parents."""

    keyset_list: ClassVar[KeysetList[Any]]
    parent_column: ClassVar[str]

    async def batch_load_fn(self, keys: Sequence[tuple[int, PageRequest]]) -> list[Page[R] | None]:
        by_request: dict[PageRequest, list[int]] = {}
        for parent_id, page in keys:
            by_request.setdefault(page, []).append(parent_id)
        pages: dict[tuple[int, PageRequest], Page[R]] = {}
        listed, parent = self.keyset_list, f"{self.keyset_list.alias}.{self.parent_column}"
        for page, parent_ids in by_request.items():
            condition, tail, parameters = keyset_clauses(page, 3, listed.alias)
            records = await self.db.fetch(
                f"""
                select child.* from unnest($2::bigint[]) as parent(id)
                cross join lateral (
                    {listed.select} where {listed.alias}.producer_id = $1 and {parent} = parent.id and {condition}
                    {tail}
                ) child
                """,
                self.db.producer_id,
                parent_ids,
                *parameters,
            )
            grouped: dict[int, list[Any]] = {}
            for record in records:
                grouped.setdefault(record[self.parent_column], []).append(record)
            for parent_id in parent_ids:
                pages[(parent_id, page)] = page_of(grouped.get(parent_id, []), page, listed.row_type)
        return [pages[key] for key in keys]
