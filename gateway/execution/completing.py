"""Completing a planned read operation one depth of the whole response tree at a time.

At each depth every field of every group of objects (the 50 sales of a page, the 10 lost sales of another
list...) is resolved, and all their awaitables are awaited together, so that loads of one loader anywhere at
that depth share one statement; then the results are filled in and the objects of the next depth grouped.
Plain fields never reach this walk: the builders (`builders.py`) fill them in when an object's result is made.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import NoneType
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.execution.values import get_argument_values
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema_converter import get_arguments

from gateway.execution.awaiting import await_together
from gateway.execution.builders import PLAIN_SCALARS, enum_names
from gateway.execution.planning import FieldPlan, Planner, StepAside
from resolvers.context import Context


@dataclass(frozen=True, slots=True)
class InfoShim:
    """What our resolvers read from Strawberry's `Info`: the context, nothing else."""

    context: Context


@dataclass(frozen=True, slots=True)
class Group:
    """Objects of one type at one depth with the same selection, and their results to fill in."""

    type_: GraphQLObjectType
    objects: list[Any]
    results: list[dict[str, Any]]
    plans: list[FieldPlan]


class Completer:
    """One execution's walk: the planner of its selections, and the resolvers' `info`."""

    def __init__(self, planner: Planner, info: InfoShim, config: StrawberryConfig, scalars: Any) -> None:
        self.planner = planner
        self.info = info
        self.config = config
        self.scalars = scalars

    async def complete_tree(self, type_: GraphQLObjectType, plans: list[FieldPlan]) -> dict[str, Any]:
        """The response of the root object, completed one depth level of the whole tree at a time."""
        root = dict.fromkeys(plan.key for plan in plans)
        level = [Group(type_, [None], [root], plans)]
        while level:
            level = await self._complete_level(level)
        return root

    async def _complete_level(self, level: list[Group]) -> list[Group]:
        """Resolve every field of every group of one depth, the awaitables of all of them together (so
        that loads of one loader anywhere at this depth share one batch), then fill in the results and
        return the groups of objects one level down."""
        resolved: list[tuple[Group, FieldPlan, list[Any] | None]] = []  # None: a relation's answer for the group
        awaitables: list[Any] = []
        try:
            for group in level:
                for plan in group.plans:
                    if plan.batch is not None:
                        awaitables.append(plan.batch(self.info.context, group.objects))
                        resolved.append((group, plan, None))
                        continue
                    values = self._call(plan, group)
                    if plan.is_async:
                        awaitables.extend(values)
                    resolved.append((group, plan, values))
        except BaseException:  # a resolver raised at once: the coroutines made so far will never run
            for awaitable in awaitables:
                if asyncio.iscoroutine(awaitable):
                    awaitable.close()
            raise
        answers = iter(await await_together(awaitables) if awaitables else ())
        below: list[Group] = []
        columns: dict[int, list[list[Any]]] = {}  # id(group) -> its completed columns, in plan order
        for group, plan, called in resolved:
            if called is None:
                values = _batch_answer(next(answers), group)
            elif plan.is_async:
                values = [next(answers) for _ in called]
            else:
                values = called
            if plan.field_def is None:  # __typename
                column: list[Any] = [group.type_.name] * len(values)
            else:
                column = self._complete(plan.field_def.type, values, plan.nodes, below)
            columns.setdefault(id(group), []).append(column)
        for group in level:
            if group.plans:
                keys = [plan.key for plan in group.plans]
                for result, row in zip(group.results, zip(*columns[id(group)], strict=True), strict=True):
                    result.update(zip(keys, row, strict=True))
        return below

    def _call(self, plan: FieldPlan, group: Group) -> list[Any]:
        """The field's values on every object of the group: attributes, or the resolver's return values
        (awaitables for an async resolver)."""
        objects = group.objects
        if plan.attribute is not None:
            return list(map(plan.attribute, objects))
        if plan.function is None:  # __typename
            return objects
        assert plan.definition is not None
        assert plan.field_def is not None
        raw = get_argument_values(plan.field_def, plan.nodes[0], self.planner.variables)
        _, kwargs = get_arguments(
            field=plan.definition,
            source=None,
            info=self.info,  # type: ignore[arg-type]
            kwargs=raw,
            config=self.config,
            scalar_registry=self.scalars,
        )
        function = plan.function
        if not plan.takes_self:
            return [function(**kwargs) for _ in objects]
        if kwargs:
            return [function(source, **kwargs) for source in objects]
        return list(map(function, objects))

    def _complete(
        self, type_: GraphQLOutputType, values: list[Any], nodes: list[FieldNode], below: list[Group]
    ) -> list[Any]:
        """The JSON values of a field's values; objects become empty results, completed one level down."""
        if isinstance(type_, GraphQLNonNull):
            completed = self._complete(type_.of_type, values, nodes, below)
            if None in completed:  # identity first: no value of ours compares equal to None
                raise StepAside("null in a non-null field")
            return completed
        if isinstance(type_, GraphQLList):
            lengths = [None if value is None else len(value) for value in values]
            flat = [item for value in values if value is not None for item in value]
            completed_flat = self._complete(type_.of_type, flat, nodes, below)
            out: list[Any] = []
            position = 0
            for length in lengths:
                if length is None:
                    out.append(None)
                else:
                    out.append(completed_flat[position : position + length])
                    position += length
            return out
        if isinstance(type_, GraphQLEnumType):
            names = enum_names(type_)
            try:  # by identity: a member's own __hash__ is Python code, and members live as long as the class
                if None not in values:
                    return list(map(names.__getitem__, map(id, values)))
                return [None if value is None else names[id(value)] for value in values]
            except KeyError:  # not a member of the Python enum: the type's own rules decide
                return [None if value is None else type_.serialize(value) for value in values]
        if isinstance(type_, GraphQLScalarType):
            plain = PLAIN_SCALARS.get(type_.name)
            if plain is not None:
                kinds = set(map(type, values))
                kinds.discard(NoneType)
                if not kinds or kinds == {plain}:
                    return values  # already what the JSON holds: str, int or bool
            serialize = type_.serialize
            if None not in values:
                return list(map(serialize, values))
            return [None if value is None else serialize(value) for value in values]
        if isinstance(type_, GraphQLObjectType):
            present = [value for value in values if value is not None]
            if not present:
                return list(values)
            builder = self.planner.builder_for(type_, [node.selection_set for node in nodes if node.selection_set])
            results = builder.build(present)  # plain fields filled; the rest None, filled one level down
            if builder.deferred:
                below.append(Group(type_, present, results, builder.deferred))
            if len(present) == len(values):
                return results
            filled = iter(results)
            return [None if value is None else next(filled) for value in values]
        raise StepAside(f"abstract type {type_}")


def _batch_answer(values: Any, group: Group) -> list[Any]:
    if not isinstance(values, list) or len(values) != len(group.objects):
        raise StepAside(f"a relation on {group.type_.name} answered {type(values).__name__}")
    return values
