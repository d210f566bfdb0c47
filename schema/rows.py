"""How a row of the database becomes an object of the API: `from_row`, generated once per type.

Most fields of an API object are the column of the same name in its row, shaped by the field's type: an
amount (`Money`) pairs the column with the row's `currency`, an enum is the member the column names (the API's
enums are known by their names), `id` is the row's global id, a private `row` keeps the row itself (for the
fields resolved from it). A field
whose value comes from elsewhere in the row names how in the decorator (`potential_revenue=lambda row: ...`).
Fields with a resolver are not made here. The generated function is one expression per object, as fast as one
written by hand: pages of a hundred objects are made on every request.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable
from typing import Any, Self, TypeVar

from strawberry.types.base import StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition

from resolvers.ids import to_global_id
from schema.common import CURRENCIES, NODE_TYPES, Money

T = TypeVar("T", bound=type)

TYPE_OF_ROW: dict[type, Any] = {}  # the API type lists of each row type are made of

Source = Callable[[Any], Any]  # a field's value from the row


class FromRow:
    """A type of the API made from rows (declared with `row_type` or `node_type`)."""

    @classmethod
    def from_row(cls, row: Any) -> Self:
        raise TypeError(f"{cls.__name__} is not declared with @row_type or @node_type")  # they replace this


def row_of_type(type_name: str) -> type | None:
    """The row type the API type named `type_name` is made from, when lists are made of it."""
    for row, made in TYPE_OF_ROW.items():
        if made.__name__ == type_name:
            return row
    return None


def row_type(row: type | None = None, **sources: Source) -> Callable[[T], T]:
    """Give the type (under `@strawberry.type`) its generated `from_row`; `sources` make the fields that are
    not the column of their name. With `row`, lists of such rows are made of this type."""

    def declare(cls: T) -> T:
        cls.from_row = staticmethod(_generate(cls, sources))  # type: ignore[attr-defined]
        if row is not None:
            TYPE_OF_ROW[row] = cls
        return cls

    return declare


def node_type(row: type, **sources: Source) -> Callable[[T], T]:
    """`row_type`, and the type is a Node that `node(id:)` and relations find by its name, and lists by the
    type of `row`, the row it is made from."""

    def declare(cls: T) -> T:
        NODE_TYPES[cls.__name__] = row_type(row, **sources)(cls)
        return cls

    return declare


def type_of(row: Any) -> Any:
    """The API type made from rows like `row`."""
    return TYPE_OF_ROW[type(row)]


def _generate(cls: type, sources: dict[str, Source]) -> Callable[[Any], Any]:
    types = {field.python_name: field for field in cls.__strawberry_definition__.fields}  # type: ignore[attr-defined]
    namespace: dict[str, Any] = {"cls": cls, "Money": Money, "CURRENCIES": CURRENCIES, "to_global_id": to_global_id}
    arguments = []
    for field in dataclasses.fields(cls):
        if not field.init:
            continue
        arguments.append(f"{field.name}={_value(cls, field.name, types.get(field.name), sources, namespace)}")
    code = f"def from_row(row):\n    return cls({', '.join(arguments)})\n"
    exec(code, namespace)  # noqa: S102 - code of our own, from the type's fields
    made: Callable[[Any], Any] = namespace["from_row"]
    return made


def _value(cls: type, name: str, field: Any, sources: dict[str, Source], namespace: dict[str, Any]) -> str:
    if name in sources:
        namespace[f"source_{name}"] = sources[name]
        return f"source_{name}(row)"
    if name == "row":
        return "row"
    if name == "id":
        return f"to_global_id({cls.__name__!r}, row.id)"
    field_type = field.type if field is not None else None
    optional = isinstance(field_type, StrawberryOptional)
    if isinstance(field_type, StrawberryOptional):
        field_type = field_type.of_type
    if isinstance(field_type, StrawberryEnumDefinition):
        wrapped: Iterable[enum.Enum] = field_type.wrapped_cls
        namespace[f"enum_{name}"] = {member.name: member for member in wrapped}  # a dict: cheaper than a call
        made = f"enum_{name}[row.{name}]"
    elif field_type is Money:
        made = f"Money(amount=row.{name}, currency=CURRENCIES[row.currency])"
    else:
        return f"row.{name}"
    return f"(None if row.{name} is None else {made})" if optional else made
