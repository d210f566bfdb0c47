"""Lists as a Relay connection asks for them: the window (`first`/`after`, `last`/`before`), opaque cursors,
and one page of a declared list (`loaders.keyset.KeysetList`) with its total count on demand."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import InvalidOperation
from typing import Any, Generic, TypeVar

import orjson

from loaders.keyset import ChildPagesLoader, KeysetList, KeysetOrder, Page, PageRequest, ValueKind
from loaders.where import Filters
from resolvers import values
from resolvers.context import Context
from resolvers.errors import BadUserInput
from resolvers.scopes import require_scope

R = TypeVar("R")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Window:
    """The connection arguments of a list, as the client gave them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None


def cursor_name(list_name: str, order: KeysetOrder) -> str:
    """What a cursor of this list and order is marked with: a cursor of another list or order is refused."""
    return f"{list_name}:{order.column}:{'desc' if order.descending else 'asc'}"


def encode_cursor(name: str, value: Any, pk: int) -> str:
    """An opaque cursor: the list and order it belongs to, the row's sort value and its id."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return base64.urlsafe_b64encode(orjson.dumps([name, text, pk])).decode()


def decode_cursor(cursor: str, name: str, kind: ValueKind) -> tuple[Any, int]:
    """The (sort value, id) inside a cursor of this list and order; `BadUserInput` for anything else."""
    try:
        marked, text, pk = orjson.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if marked != name:
            raise BadUserInput("The cursor belongs to another list or order; start again without it")
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63 or not isinstance(text, str):
            raise ValueError(pk)
        return _sort_value(text, kind), pk
    except BadUserInput:
        raise
    except (ValueError, TypeError, UnicodeError, binascii.Error, InvalidOperation, orjson.JSONDecodeError):
        raise BadUserInput(
            f"Invalid cursor: {cursor[:100]!r} is not an endCursor or startCursor of this list"
        ) from None


def _sort_value(text: str, kind: ValueKind) -> Any:
    """The sort value of a cursor, held to the rules of the same value as an argument (`values.py`)."""
    if kind == "integer":
        return values.whole_number(text)
    return values.date_time(text) if kind == "datetime" else values.decimal(text)


def page_request(window: Window, name: str, order: KeysetOrder) -> PageRequest:
    """Validate `first`/`after` or `last`/`before` into a keyset page request of this list and order."""
    first, after, last, before = window.first, window.after, window.last, window.before
    if first is not None and last is not None:
        raise BadUserInput("Pass `first` or `last`, not both")
    if after is not None and before is not None:
        raise BadUserInput("Pass `after` or `before`, not both")
    for argument, size in (("first", first), ("last", last)):
        if size is not None and not 1 <= size <= MAX_PAGE_SIZE:
            raise BadUserInput(f"`{argument}` must be between 1 and {MAX_PAGE_SIZE}, got {size}")
    backward = last is not None or (before is not None and first is None)
    if backward and after is not None:
        raise BadUserInput("`last` pages backward: use it with `before`, not `after`")
    if not backward and before is not None:
        raise BadUserInput("`first` pages forward: use it with `after`, not `before`")
    limit = (last if backward else first) or DEFAULT_PAGE_SIZE
    raw_cursor = before if backward else after
    cursor = decode_cursor(raw_cursor, name, order.kind) if raw_cursor is not None else None
    return PageRequest(limit=limit, order=order, backward=backward, cursor=cursor)


@dataclass(frozen=True, slots=True)
class ListPage(Generic[R]):
    """One page of a list with what a connection needs besides: each row's cursor, the total count on demand."""

    page: Page[R]
    name: str  # the cursors' mark (`cursor_name`)
    order: KeysetOrder
    count: Callable[[], Awaitable[int]]

    def cursor(self, row: Any) -> str:
        return encode_cursor(self.name, getattr(row, self.order.column), row.id)


async def list_page(
    context: Context,
    keyset_list: KeysetList[R],
    filters: Filters,
    window: Window,
    *,
    scope: str | None,
    order: str | None = None,
) -> ListPage[R]:
    """A page of the list narrowed by `filters`, in the named order (else the list's default); `scope`: the one
    reading it needs (None: the caller checked what the key may read)."""
    if scope is not None:
        require_scope(context.principal, scope)
    keyset = keyset_list.orders[order] if order is not None else keyset_list.default_order
    name = cursor_name(keyset_list.name, keyset)
    readable = [
        relation
        for relation in context.joins.get(keyset_list.row_type, ())
        if relation.scope is None or context.principal.can(relation.scope)
    ]
    joins = [join for relation in readable if (join := relation.join()) is not None]
    page = await keyset_list.page(context.db, filters, page_request(window, name, keyset), joins)
    for relation, found in zip(readable, page.joined, strict=True):
        relation.prime(context, page.rows, found)
    return ListPage(page, name, keyset, lambda: keyset_list.count(context.db, filters))


async def child_page(
    context: Context, loader: type[ChildPagesLoader[R]], parent_id: int, window: Window, count_filters: Filters
) -> ListPage[R]:
    """A page of a parent row's list (batched over the parents of one level); `count_filters` narrow the list to
    the parent's rows, for the total count."""
    keyset_list = loader.keyset_list
    keyset = keyset_list.default_order
    name = cursor_name(keyset_list.name, keyset)
    page = await context.loaders.get(loader).load((parent_id, page_request(window, name, keyset)))
    assert page is not None
    return ListPage(page, name, keyset, lambda: keyset_list.count(context.db, count_filters))
