"""A breadth-first executor for read operations, beside the stock one.

graphql-core completes a response object by object and field by field: every object with an asynchronous
child gets its own coroutine and gather, and every field goes through Strawberry's resolver wrapper. On a
page of 50 sales with their product, buyer and affiliate that is thousands of small steps (see DESIGN.md,
"Performance").

This executor completes a whole level at once: for the 50 sales of a page, each selected field is one step
over the 50 objects: a plain attribute is read from each, a resolver is called for each and the awaitables of
that field are gathered once, so the loaders still batch them into one statement; then the next level is
completed from the flat list of what this level returned. The resolvers and types are the same Strawberry
ones; only the walk differs.

It answers only the happy path of plain queries. Anything else (a validation or variable error, any error
in a resolver, a null in a non-null field, introspection, an abstract type, a field extension, a mutation)
makes it step aside (`None`), and the stock executor answers the request from scratch: errors, their paths
and messages then come from the reference implementation. A differential test keeps the two equal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
    specified_rules,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values, get_variable_values
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.schema.schema import validate_document
from strawberry.schema.schema_converter import GraphQLCoreConverter, get_arguments
from strawberry.types.field import StrawberryField

from gateway.context import Context
from loaders.registry import Loaders
from schema import GatewaySchema
from schema.limits import MAX_TOKENS, QueryLimitsRule

DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF
CACHE_SIZE = 512


# built-in scalars whose serialisation leaves a value of exactly this Python type unchanged
_PLAIN_SCALARS: dict[str, type] = {"String": str, "ID": str, "Int": int, "Boolean": bool}


async def _await_together(awaitables: list[Any]) -> list[Any]:
    """Await the coroutines of one field across a level together, without a task for each.

    Each coroutine is stepped until it waits on a future (a loader's, typically: the loader batches all
    those keys into one statement when the event loop next runs); once its future is done it is stepped
    again. This is what `asyncio.gather` does, less the Task objects it creates per coroutine.
    """
    coroutines = [value if asyncio.iscoroutine(value) else _wrap(value) for value in awaitables]
    results: list[Any] = [None] * len(coroutines)
    waiting: list[tuple[int, Any, Any]] = []  # (index, coroutine, what it waits on)
    try:
        for index, coroutine in enumerate(coroutines):
            _step(index, coroutine, results, waiting)
        while waiting:
            futures = {id(awaited): awaited for _, _, awaited in waiting if awaited is not None}
            if futures:
                await asyncio.wait(list(futures.values()), return_when=asyncio.FIRST_COMPLETED)
            else:
                await asyncio.sleep(0)
            ready, waiting = waiting, []
            for index, coroutine, awaited in ready:
                if awaited is None or awaited.done():
                    _step(index, coroutine, results, waiting)
                else:
                    waiting.append((index, coroutine, awaited))
    except BaseException:
        for coroutine in coroutines:
            coroutine.close()
        raise
    return results


def _step(index: int, coroutine: Any, results: list[Any], waiting: list[tuple[int, Any, Any]]) -> None:
    try:
        awaited = coroutine.send(None)
    except StopIteration as done:
        results[index] = done.value
        return
    if awaited is not None and not asyncio.isfuture(awaited):
        coroutine.close()
        raise StepAside(f"a resolver awaited {type(awaited).__name__}")
    if awaited is not None:
        awaited._asyncio_future_blocking = False  # as a Task does when it takes over a yielded future
    waiting.append((index, coroutine, awaited))


async def _wrap(awaitable: Any) -> Any:
    return await awaitable


class StepAside(Exception):
    """This request is for the stock executor."""


@dataclass(frozen=True, slots=True)
class _InfoShim:
    """What our resolvers read from Strawberry's `Info`: the context, nothing else."""

    context: Context


class FastExecutor:
    def __init__(self, schema: GatewaySchema, *, production: bool) -> None:
        self._schema: GraphQLSchema = schema._schema
        self._query_type = self._schema.query_type
        self._scalars = schema.schema_converter.scalar_registry
        self._config = schema.config
        rules = [*specified_rules, QueryLimitsRule]
        if production:
            rules.append(NoSchemaIntrospectionCustomRule)
        self._rules = tuple(rules)
        self._plan = lru_cache(maxsize=CACHE_SIZE)(self._prepare)
        self.answered = 0  # requests this executor answered
        self.stepped_aside = 0  # requests it left to the stock executor

    def _prepare(self, query: str, operation_name: str | None) -> tuple[OperationDefinitionNode, dict[str, Any]] | None:
        """The operation to run and its fragments, when this executor can run it; parsed and validated once."""
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError:
            return None
        if validate_document(self._schema, document, self._rules):
            return None
        operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
        if operation_name:
            operations = [node for node in operations if node.name and node.name.value == operation_name]
        if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
            return None
        fragments = {node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)}
        if not _supported(document):
            return None
        return operations[0], fragments

    async def execute(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None, context: Context
    ) -> dict[str, Any] | None:
        """The response body (`{"data": ...}`), or None when the stock executor must answer."""
        plan = self._plan(query, operation_name)
        if plan is None:
            self.stepped_aside += 1
            return None
        operation, fragments = plan
        coerced = get_variable_values(self._schema, operation.variable_definitions or (), variables or {})
        if not isinstance(coerced, VariableValues):
            self.stepped_aside += 1
            return None
        run = _Run(self, fragments, coerced, _InfoShim(context))
        assert self._query_type is not None
        try:
            fields = run.collect(self._query_type, [operation.selection_set])
            (data,) = await run.complete_objects([None], self._query_type, fields)
        except Exception:  # any error: the stock executor answers, with its errors, from a clean start
            await context.db.close(commit=False)  # a failed statement aborts the transaction
            context.loaders = Loaders.for_request(context.db)  # and nothing half-loaded carries over
            self.stepped_aside += 1
            return None
        self.answered += 1
        return {"data": data}


def _supported(document: DocumentNode) -> bool:
    """No introspection and no directives but @include/@skip; the types are checked while running."""
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value not in ("include", "skip"):
                return False
        if isinstance(node, FieldNode) and node.name.value in ("__schema", "__type"):
            return False
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return True


class _Run:
    """One execution: variables, fragments and the resolver `info` shared by every step."""

    def __init__(
        self, executor: FastExecutor, fragments: dict[str, Any], variables: VariableValues, info: _InfoShim
    ) -> None:
        self.executor = executor
        self.fragments = fragments
        self.variables = variables
        self.info = info

    # ---- selections ------------------------------------------------------------------------------------

    def collect(
        self, type_: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect(type_, selection_set, fields, visited)
        return fields

    def _collect(
        self,
        type_: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if self._applies(selection.type_condition, type_):
                    self._collect(type_, selection.selection_set, fields, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition, type_):
                    self._collect(type_, fragment.selection_set, fields, visited)

    def _included(self, node: Any) -> bool:
        if not node.directives:
            return True
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip is not None and skip["if"] is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include is not None and include["if"] is False)

    def _applies(self, condition: Any, type_: GraphQLObjectType) -> bool:
        if condition is None:
            return True
        condition_type = self.executor._schema.get_type(condition.name.value)
        if condition_type is type_:
            return True
        return bool(condition_type is not None and self.executor._schema.is_sub_type(condition_type, type_))  # type: ignore[arg-type]

    # ---- completion --------------------------------------------------------------------------------------

    async def complete_objects(
        self, objects: list[Any], type_: GraphQLObjectType, fields: dict[str, list[FieldNode]]
    ) -> list[dict[str, Any]]:
        """Every selected field of every object of one type, one field at a time across all of them."""
        results: list[dict[str, Any]] = [{} for _ in objects]
        for key, nodes in fields.items():
            name = nodes[0].name.value
            if name == "__typename":
                for result in results:
                    result[key] = type_.name
                continue
            field_def = type_.fields[name]
            definition = (field_def.extensions or {}).get(DEFINITION)
            if not isinstance(definition, StrawberryField) or definition.extensions:
                raise StepAside(f"{type_.name}.{name}")
            values = await self._resolve(definition, field_def, nodes[0], objects)
            completed = await self.complete_values(field_def.type, values, nodes)
            for result, value in zip(results, completed, strict=True):
                result[key] = value
        return results

    async def _resolve(
        self, definition: StrawberryField, field_def: Any, node: FieldNode, objects: list[Any]
    ) -> list[Any]:
        resolver = definition.base_resolver
        if resolver is None:
            python_name = definition.python_name
            return [getattr(source, python_name) for source in objects]
        raw = get_argument_values(field_def, node, self.variables)
        _, kwargs = get_arguments(
            field=definition,
            source=None,
            info=self.info,  # type: ignore[arg-type]
            kwargs=raw,
            config=self.executor._config,
            scalar_registry=self.executor._scalars,
        )
        function: Any = resolver.wrapped_func
        if resolver.self_parameter is not None:
            values = [function(source, **kwargs) for source in objects]
        else:
            values = [function(**kwargs) for _ in objects]
        if values and isawaitable(values[0]):
            return await _await_together(values)
        return values

    async def complete_values(self, type_: GraphQLOutputType, values: list[Any], nodes: list[FieldNode]) -> list[Any]:
        if isinstance(type_, GraphQLNonNull):
            completed = await self.complete_values(type_.of_type, values, nodes)
            if any(value is None for value in completed):
                raise StepAside("null in a non-null field")
            return completed
        if isinstance(type_, GraphQLList):
            lengths = [None if value is None else len(value) for value in values]
            flat = [item for value in values if value is not None for item in value]
            completed_flat = await self.complete_values(type_.of_type, flat, nodes)
            out: list[Any] = []
            position = 0
            for length in lengths:
                if length is None:
                    out.append(None)
                else:
                    out.append(completed_flat[position : position + length])
                    position += length
            return out
        if isinstance(type_, (GraphQLScalarType, GraphQLEnumType)):
            plain = _PLAIN_SCALARS.get(type_.name)
            if plain is not None and all(value is None or type(value) is plain for value in values):
                return values  # already what the JSON holds: str, int or bool
            serialize = type_.serialize
            return [None if value is None else serialize(value) for value in values]
        if isinstance(type_, GraphQLObjectType):
            present = [value for value in values if value is not None]
            if not present:
                return list(values)
            fields = self.collect(type_, [node.selection_set for node in nodes if node.selection_set])
            objects = iter(await self.complete_objects(present, type_, fields))
            return [None if value is None else next(objects) for value in values]
        raise StepAside(f"abstract type {type_}")
