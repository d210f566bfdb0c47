"""Connection arguments: page sizes, opaque cursors, and their validation."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import orjson

from loaders.paging import KeysetOrder, PageRequest
from schema.errors import BadUserInput

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

ValueKind = Literal["datetime", "decimal", "int", "date"]


def encode_cursor(order_name: str, value: Any, pk: int) -> str:
    """An opaque cursor: the order it belongs to, the row's sort value and its id."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return base64.urlsafe_b64encode(orjson.dumps([order_name, text, pk])).decode()


def decode_cursor(cursor: str, order_name: str, kind: ValueKind) -> tuple[Any, int]:
    """The (sort value, id) inside a cursor of this order; `BadUserInput` for anything else."""
    try:
        name, text, pk = orjson.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if name != order_name:
            raise BadUserInput("The cursor belongs to another list or order; start again without it")
        if not isinstance(pk, int) or not 0 < pk < 2**63 or not isinstance(text, str):
            raise ValueError(pk)
        return _parse_value(text, kind), pk
    except BadUserInput:
        raise
    except (ValueError, TypeError, UnicodeError, binascii.Error, InvalidOperation, orjson.JSONDecodeError):
        raise BadUserInput(f"Invalid cursor: {cursor[:100]!r}") from None


def _parse_value(text: str, kind: ValueKind) -> Any:
    if kind == "datetime":
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            raise ValueError(text)
        return value
    if kind == "decimal":
        number = Decimal(text)
        if not number.is_finite():
            raise ValueError(text)
        return number
    if kind == "date":
        return datetime.fromisoformat(text).date()
    return int(text)


def page_request(
    order_name: str,
    kind: ValueKind,
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> PageRequest:
    """Validate `first`/`after` or `last`/`before` into a keyset page request."""
    if first is not None and last is not None:
        raise BadUserInput("Pass `first` or `last`, not both")
    if after is not None and before is not None:
        raise BadUserInput("Pass `after` or `before`, not both")
    for name, size in (("first", first), ("last", last)):
        if size is not None and not 1 <= size <= MAX_PAGE_SIZE:
            raise BadUserInput(f"`{name}` must be between 1 and {MAX_PAGE_SIZE}, got {size}")
    backward = last is not None or (before is not None and first is None)
    if backward and after is not None:
        raise BadUserInput("`last` pages backward: use it with `before`, not `after`")
    if not backward and before is not None:
        raise BadUserInput("`first` pages forward: use it with `after`, not `before`")
    limit = (last if backward else first) or DEFAULT_PAGE_SIZE
    raw_cursor = before if backward else after
    cursor = decode_cursor(raw_cursor, order_name, kind) if raw_cursor is not None else None
    return PageRequest(limit=limit, backward=backward, cursor=cursor)


@dataclass(frozen=True, slots=True)
class Window:
    """The connection arguments of a list, as the client gave them."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def arguments(self) -> dict[str, Any]:
        return {"first": self.first, "after": self.after, "last": self.last, "before": self.before}


def order_name(prefix: str, order: KeysetOrder) -> str:
    return f"{prefix}:{order.column}:{'desc' if order.descending else 'asc'}"
