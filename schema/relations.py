"""Relation fields: a field whose value is found through a `resolvers.relations.Relation` of the object's row.

`relation(...)` makes the field; its metadata (`RELATED`) holds how one object's value is resolved and how the
values of many objects are resolved at once. Both give the same values, errors included: a per-object resolver
is what the GraphQL executor calls, and anything that completes a whole level of objects at once may call
`resolve_many` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.context import Context
from resolvers.relations import Relation
from schema.common import NODE_TYPES

RELATED = "related"  # the metadata key of a relation field

Build = Callable[[Any, Any], Any]  # (what the relation found, the source object) -> the field's value


@dataclass(frozen=True, slots=True)
class RelatedField:
    relation: Relation
    build: Build

    async def resolve(self, context: Context, source: Any) -> Any:
        return self.build(await self.relation.load(context, source.row), source)

    async def resolve_many(self, context: Context, sources: Sequence[Any]) -> list[Any]:
        found = await self.relation.load_many(context, [source.row for source in sources])
        build = self.build
        return [build(value, source) for value, source in zip(found, sources, strict=True)]


def relation(found: Relation, build: Build | None = None, *, description: str | None = None) -> Any:
    """A field whose value is what `found` finds, as the Node type it names (a list of them for a to-many
    relation, None for nothing), or what `build` makes of it."""
    related = RelatedField(found, build or _as_node(found.target))

    async def resolve(self: Any, info: Info[Context, None]) -> Any:
        return await related.resolve(info.context, self)

    return strawberry.field(resolver=resolve, description=description, metadata={RELATED: related})


def related_field(metadata: Any) -> RelatedField | None:
    """The relation behind a field, from the field's metadata; None for any other field."""
    found = (metadata or {}).get(RELATED)
    return found if isinstance(found, RelatedField) else None


def _as_node(type_name: str) -> Build:
    def build(value: Any, source: Any) -> Any:
        if value is None:
            return None
        make = NODE_TYPES[type_name].from_row
        return [make(item) for item in value] if isinstance(value, list) else make(value)

    return build
