"""Result objects built by generated code: the plain part of a selection, in one expression per object.

For a page of 100 sales with five amounts each, completing field by field means, per field, a list of 100
values, a serialisation pass and a pass to store them; each amount is an object of its own, completed one
level further down. Most of those fields are plain: an attribute of the Python object, serialised as a
scalar or an enum, or an object (`Money`) whose selected fields are all plain in turn.

For one object type and selection, `builder_for` generates (once, cached by the selection's shape) a
function making every result dict in one dict display per object, plain fields filled, nested plain objects
inlined, the other fields (resolvers, lists) set to None to keep the selection's key order; the executor
fills those in afterwards, level by level. Any surprise (a null in a non-null field, a value the
serialiser rejects) raises, and the fast executor steps aside as it does for every error.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)

from schema.caching import BoundedCache

# built-in scalars whose serialisation leaves a value of exactly this Python type unchanged
PLAIN_SCALARS: dict[str, type] = {"String": str, "ID": str, "Int": int, "Boolean": bool}

BUILDER_ENTRIES = 1024
BUILDER_BYTES = 8 * 2**20
"""Builders kept, by the shape they were made for: 1,024, and at most 8 MiB of them (estimated as below)."""
BUILDER_OVERHEAD = 2_500
BYTES_PER_RESULT_KEY = 250
BYTES_PER_SOURCE_CHARACTER = 5
"""What a builder keeps, estimated from above: its function, code and namespace; per key of the result dict,
its part of the shape the builder is kept by; per character of its source, the code and constants compiled
from it (the response keys among them). Measured: 2,150 bytes for one key, 4,450 for 15 short ones, 19,500
for 15 keys of 1,000 characters, 15,100 for the plain fields of a sale (26 keys); tests/gateway/test_execution_caches.py
keeps the estimate above what builders keep."""


class PlannedField(Protocol):
    """What the builder reads of the executor's field plan."""

    @property
    def key(self) -> str: ...
    @property
    def nodes(self) -> list[FieldNode]: ...
    @property
    def field_def(self) -> GraphQLField | None: ...
    @property
    def python_name(self) -> str | None: ...  # a plain attribute; None for a resolver or __typename


PlansFor = Callable[[GraphQLObjectType, list[FieldNode]], Sequence[PlannedField]]


@dataclass(frozen=True, slots=True)
class Builder:
    """Makes the result dicts of a list of objects; `deferred` are the plans the executor still completes."""

    build: Callable[[list[Any]], list[dict[str, Any]]]
    deferred: list[Any]


class NullInNonNullField(Exception):
    """A plain non-null field was None: the fast executor steps aside."""


def _null() -> Any:
    raise NullInNonNullField


builders: BoundedCache[tuple[Any, ...], Builder] = BoundedCache(max_entries=BUILDER_ENTRIES, max_bytes=BUILDER_BYTES)
"""Shapes come from documents (response keys are aliases), so this is a cache keyed by what clients send."""


def builder_for(type_: GraphQLObjectType, plans: Sequence[PlannedField], plans_for: PlansFor) -> Builder:
    """The builder of `type_` objects for these field plans (generated on first use of this shape)."""
    shape = _shape(type_, plans, plans_for)
    cached = builders.get_or_add(shape, lambda: _Generator().builder(type_, plans, plans_for))
    # the cached function fits any selection of this shape; the plans to defer are this selection's own
    return Builder(cached.build, [plan for plan in plans if _deferred(plan, plans_for)])


def _shape(type_: GraphQLObjectType, plans: Sequence[PlannedField], plans_for: PlansFor) -> tuple[Any, ...]:
    parts: list[Any] = [type_.name]
    for plan in plans:
        inner = _inlined_object(plan, plans_for)
        nested = _shape(inner[0], inner[1], plans_for) if inner else None
        parts.append((plan.key, plan.nodes[0].name.value, plan.python_name, nested))
    return tuple(parts)


def _deferred(plan: PlannedField, plans_for: PlansFor) -> bool:
    """Left to the executor: a resolver, or an attribute that is a list or an object with such fields."""
    if plan.field_def is None:  # __typename
        return False
    if plan.python_name is None:
        return True
    named = _unwrapped(plan.field_def.type)
    if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
        return False
    return _inlined_object(plan, plans_for) is None


def _unwrapped(type_: GraphQLOutputType) -> GraphQLOutputType:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


def _inlined_object(plan: PlannedField, plans_for: PlansFor) -> tuple[GraphQLObjectType, Sequence[PlannedField]] | None:
    """The object type and plans of a plain attribute holding one object whose selected fields are all plain."""
    if plan.field_def is None or plan.python_name is None:
        return None
    named = _unwrapped(plan.field_def.type)
    if not isinstance(named, GraphQLObjectType):
        return None
    inner = plans_for(named, plan.nodes)
    if any(_deferred(inner_plan, plans_for) for inner_plan in inner):
        return None
    return named, inner


class _Generator:
    """Writes the source of one builder, binding serialisers and enum tables to names in its namespace."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"_null": _null}
        self.temporaries = 0
        self.keys = 0  # keys of the result dicts written

    def builder(
        self, type_: GraphQLObjectType, plans: Sequence[PlannedField], plans_for: PlansFor
    ) -> tuple[Builder, int]:
        """The builder, and an estimate of the bytes it keeps."""
        body = self._object(type_, plans, plans_for, "o")
        source = f"def build(objects):\n    return [{body} for o in objects]\n"
        exec(compile(source, f"<builder of {type_.name}>", "exec"), self.namespace)  # noqa: S102 - our own code
        # taken out of its own globals: no cycle, so a builder dropped from the cache is freed at once
        build = self.namespace.pop("build")
        weight = BUILDER_OVERHEAD + BYTES_PER_RESULT_KEY * self.keys + BYTES_PER_SOURCE_CHARACTER * len(source)
        return Builder(build, []), weight

    def _bind(self, value: Any) -> str:
        name = f"_b{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def _temporary(self) -> str:
        self.temporaries += 1
        return f"_v{self.temporaries}"

    def _object(self, type_: GraphQLObjectType, plans: Sequence[PlannedField], plans_for: PlansFor, source: str) -> str:
        entries = []
        for plan in plans:
            self.keys += 1
            key = repr(plan.key)
            if plan.field_def is None:
                entries.append(f"{key}: {type_.name!r}")
            elif _deferred(plan, plans_for):
                entries.append(f"{key}: None")
            else:
                entries.append(f"{key}: {self._field(plan, plans_for, source)}")
        return "{" + ", ".join(entries) + "}"

    def _field(self, plan: PlannedField, plans_for: PlansFor, source: str) -> str:
        assert plan.field_def is not None
        assert plan.python_name is not None
        name = plan.python_name
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"not an attribute name: {name!r}")
        type_ = plan.field_def.type
        non_null = isinstance(type_, GraphQLNonNull)
        named = _unwrapped(type_)
        value = self._temporary()
        inner = _inlined_object(plan, plans_for)
        present = self._leaf(named, value) if inner is None else self._object(*inner, plans_for, value)
        absent = "_null()" if non_null else "None"
        return f"({absent} if ({value} := {source}.{name}) is None else {present})"

    def _leaf(self, type_: GraphQLOutputType, value: str) -> str:
        if isinstance(type_, GraphQLEnumType):
            names = enum_names(type_)
            if names:
                return f"({self._bind(names)}.get(id({value})) or {self._bind(type_.serialize)}({value}))"
            return f"{self._bind(type_.serialize)}({value})"
        assert isinstance(type_, GraphQLScalarType)
        plain = PLAIN_SCALARS.get(type_.name)
        serialize = self._bind(type_.serialize)
        if plain is not None:
            return f"({value} if type({value}) is {self._bind(plain)} else {serialize}({value}))"
        return f"{serialize}({value})"


@lru_cache(maxsize=256)
def enum_names(type_: GraphQLEnumType) -> dict[int, str]:
    """id(Python enum member) -> GraphQL name, for Strawberry's enum types (whose resolvers return members).

    By identity: a member's own `__hash__` is Python code, and members live as long as their class.
    """
    wrapped = getattr(type_, "wrapped_cls", None)
    if wrapped is None:
        return {}
    by_value = {value.value: name for name, value in type_.values.items()}
    return {id(member): by_value[member.value] for member in wrapped if member.value in by_value}
