"""Filter inputs of lists: what a client narrows a list to, as the list's declared conditions take it.

A filter input's fields are named as the conditions of its list (`loaders.keyset.KeysetList`); `filters_of`
turns a given input into those values: enums by their names, global ids (fields made by `ids_of`) as primary
keys, absent fields left out. An empty list, or a `..._from` after its `..._to`, is refused: it could only be a
mistake (it would match nothing).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

import strawberry

from loaders.where import Filters
from resolvers.errors import BadUserInput
from resolvers.ids import pk_of

IDS = "ids"  # the metadata key naming the type of an input field's global ids
UPDATED_AT = "When it was last written (created or changed); what `filter.updatedSince` and the UPDATED_AT order read."


def updated_since() -> Any:
    """The optional `updatedSince` of a list's filter: the rows written at or after a moment."""
    return strawberry.field(
        default=None,
        description="Only what was written (created or changed) at or after this moment. To sync, order by "
        "UPDATED_AT ascending and go on from the last page's `endCursor`: nothing is missed or repeated.",
    )


class OrderName:
    """What an order input (`field`, `direction`) is in its list's orders: `FIELD:DIRECTION`."""

    if TYPE_CHECKING:
        field: enum.Enum
        direction: enum.Enum

    @property
    def name(self) -> str:
        return f"{self.field.name}:{self.direction.name}"


def ids_of(type_name: str, *, description: str | None = None) -> Any:
    """An optional input field of global ids (or one id) of `type_name`, passed on as primary keys."""
    return strawberry.field(default=None, metadata={IDS: type_name}, description=description)


def filters_of(given: Any) -> Filters:
    """The values of a filter input's given fields, by their Python names."""
    if given is None:
        return {}
    filters: dict[str, Any] = {}
    for field in given.__strawberry_definition__.fields:
        value = getattr(given, field.python_name)
        if value == []:
            raise BadUserInput(f"`filter.{_camel(field.python_name)}` is empty: name at least one, or leave it out")
        if value is not None:
            filters[field.python_name] = _plain(value, (field.metadata or {}).get(IDS))
    for name, start in filters.items():
        end = filters.get(name.removesuffix("_from") + "_to") if name.endswith("_from") else None
        if end is not None and start > end:
            upper = _camel(name.removesuffix("_from") + "_to")
            raise BadUserInput(f"`filter.{_camel(name)}` must not be after `filter.{upper}`")
    return filters


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


def _plain(value: Any, id_type: str | None) -> Any:
    if isinstance(value, list):
        return [_plain(item, id_type) for item in value]
    if isinstance(value, enum.Enum):
        return value.name
    return pk_of(value, id_type) if id_type is not None else value
