"""A breadth-first executor for read operations, beside the stock one.

graphql-core completes a response object by object and field by field: every object with an asynchronous
child gets its own coroutine and gather, and every field goes through Strawberry's resolver wrapper. On a
page of 50 sales with their product, buyer and affiliate that is thousands of small steps (see DESIGN.md,
"Performance").

This executor completes the response one depth at a time, across the whole tree: at each depth it calls
every resolver of every group of objects (the 50 sales of a page, the 10 lost sales of another list...),
then awaits all their awaitables together, without a task each, so that loads of one loader anywhere at that
depth share one statement; then it fills in the results and goes one depth down. Plain fields never reach
the walk: the results are made by functions generated per selection shape (`gateway/fast_objects.py`), and
a field with a batch form (`schema/batching.py`) is one call per group instead of one per object. The
resolvers and types are the same Strawberry ones; only the walk differs.

It answers only the happy path of plain queries. Anything else (a validation or variable error, any error
in a resolver, a null in a non-null field, introspection, an abstract type, a field extension, a mutation)
makes it step aside (`None`), and the stock executor answers the request from scratch: errors, their paths
and messages then come from the reference implementation. A differential test keeps the two equal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter
from types import NoneType
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
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

from gateway import fast_objects
from gateway.context import Context
from gateway.fast_objects import PLAIN_SCALARS, Builder, enum_names
from loaders.registry import Loaders
from schema import GatewaySchema
from schema.batching import BatchForm, batch_form_of
from schema.limits import MAX_TOKENS, QueryLimitsRule

DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF
CACHE_SIZE = 512


async def _await_together(awaitables: list[Any]) -> list[Any]:
    """Await many coroutines together, without a task for each: what `asyncio.gather` does, less the Task
    objects it makes per coroutine.

    Each coroutine is stepped until it waits on a future (a loader's, typically: the loader batches all the
    keys loaded in one pass into one statement when the event loop next runs); the future's done callback
    marks it ready, and it is stepped again. One callback per wait, so a level of a thousand loads costs a
    thousand callbacks, not a thousand per wake-up.

    When one raises, the others still run to their end before the first error is raised: none is left
    half way through a statement on the request's connection when the stock executor takes it over.
    """
    coroutines = [value if asyncio.iscoroutine(value) else _wrap(value) for value in awaitables]
    results: list[Any] = [None] * len(coroutines)
    ready: list[int] = []  # waited on a future that is now done
    yielded: list[int] = []  # yielded bare (`asyncio.sleep(0)`): step again after one turn of the loop
    waker: list[asyncio.Future[None]] = []
    errors: list[Exception] = []
    pending = 0

    def resume(index: int) -> None:
        ready.append(index)
        if waker and not waker[0].done():
            waker[0].set_result(None)

    def step(index: int) -> None:
        nonlocal pending
        coroutine = coroutines[index]
        try:
            awaited = coroutine.send(None)
        except StopIteration as done:
            results[index] = done.value
            return
        except Exception as error:
            errors.append(error)
            return
        if awaited is not None and not asyncio.isfuture(awaited):
            coroutine.close()
            errors.append(StepAside(f"a resolver awaited {type(awaited).__name__}"))
            return
        pending += 1
        if awaited is None:
            yielded.append(index)
            return
        awaited._asyncio_future_blocking = False  # as a Task does when it takes over a yielded future
        awaited.add_done_callback(lambda _: resume(index))

    try:
        for index in range(len(coroutines)):
            step(index)
        while pending:
            if yielded:
                await asyncio.sleep(0)
                again = yielded[:]
                yielded.clear()
            else:
                if not ready:
                    waker[:] = [asyncio.get_running_loop().create_future()]
                    await waker[0]
                    waker.clear()
                again = ready[:]
                ready.clear()
            pending -= len(again)
            for index in again:
                step(index)
    except BaseException:  # cancelled: stop them all
        for coroutine in coroutines:
            coroutine.close()
        raise
    if errors:
        raise errors[0]
    return results


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

    def _prepare(self, query: str, operation_name: str | None) -> _Prepared | None:
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
        # without @include/@skip the selection of every level is the same for every request: plan it once
        plans = None if _has_directives(document) else _Plans()
        return _Prepared(operations[0], fragments, plans)

    async def execute(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None, context: Context
    ) -> dict[str, Any] | None:
        """The response body (`{"data": ...}`), or None when the stock executor must answer."""
        plan = self._plan(query, operation_name)
        if plan is None:
            self.stepped_aside += 1
            return None
        operation = plan.operation
        coerced = get_variable_values(self._schema, operation.variable_definitions or (), variables or {})
        if not isinstance(coerced, VariableValues):
            self.stepped_aside += 1
            return None
        plans = plan.plans if plan.plans is not None else _Plans()
        run = _Run(self, plan.fragments, coerced, _InfoShim(context), plans)
        assert self._query_type is not None
        try:
            data = await run.complete_tree(
                self._query_type, run.plan_fields(self._query_type, [operation.selection_set])
            )
        except Exception:  # any error: the stock executor answers, with its errors, from a clean start
            await context.db.close(commit=False)  # a failed statement aborts the transaction
            context.loaders = Loaders.for_request(context.db)  # and nothing half-loaded carries over
            self.stepped_aside += 1
            return None
        self.answered += 1
        return {"data": data}


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A parsed and validated operation this executor can run, with its field plans when they are fixed."""

    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    plans: _Plans | None  # None: planned per request


@dataclass(frozen=True, slots=True)
class _Plans:
    """Field plans and result builders by (type name, ids of the selection sets)."""

    fields: dict[tuple[Any, ...], list[_FieldPlan]] = field(default_factory=dict)
    builders: dict[tuple[Any, ...], Builder] = field(default_factory=dict)


def _has_directives(document: DocumentNode) -> bool:
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if getattr(node, "directives", None):
            return True
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return False


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
        self,
        executor: FastExecutor,
        fragments: dict[str, Any],
        variables: VariableValues,
        info: _InfoShim,
        plans: _Plans,
    ) -> None:
        self.executor = executor
        self.field_plans = plans.fields
        self.builders = plans.builders
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

    def plan_fields(self, type_: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]) -> list[_FieldPlan]:
        """The fields to complete on objects of `type_` for these selection sets; planned once per document
        when no directive can change the selection, else once per request."""
        key = (type_.name, *map(id, selection_sets))
        plans = self.field_plans.get(key)
        if plans is None:
            plans = [_FieldPlan.of(type_, key, nodes) for key, nodes in self.collect(type_, selection_sets).items()]
            self.field_plans[key] = plans
        return plans

    def builder_for(self, type_: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]) -> Builder:
        """How results of `type_` objects are made for these selection sets (gateway/fast_objects.py)."""
        key = ("builder", type_.name, *map(id, selection_sets))
        builder = self.builders.get(key)
        if builder is None:
            plans = self.plan_fields(type_, selection_sets)
            builder = self.builders[key] = fast_objects.builder_for(type_, plans, self._plans_below)
        return builder

    def _plans_below(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> list[_FieldPlan]:
        return self.plan_fields(type_, [node.selection_set for node in nodes if node.selection_set])

    async def complete_tree(self, type_: GraphQLObjectType, plans: list[_FieldPlan]) -> dict[str, Any]:
        """The response of the root object, completed one depth level of the whole tree at a time."""
        root = dict.fromkeys(plan.key for plan in plans)
        level = [_Group(type_, [None], [root], plans)]
        while level:
            level = await self._complete_level(level)
        return root

    async def _complete_level(self, level: list[_Group]) -> list[_Group]:
        """Resolve every field of every group of one depth, the awaitables of all of them together (so
        that loads of one loader anywhere at this depth share one batch), then fill in the results and
        return the groups of objects one level down."""
        resolved: list[tuple[_Group, _FieldPlan, list[Any] | None]] = []  # None: the batch form's answer
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
        answers = iter(await _await_together(awaitables) if awaitables else ())
        below: list[_Group] = []
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

    def _call(self, plan: _FieldPlan, group: _Group) -> list[Any]:
        """The field's values on every object of the group: attributes, or the resolver's return values
        (awaitables for an async resolver)."""
        objects = group.objects
        if plan.attribute is not None:
            return list(map(plan.attribute, objects))
        if plan.function is None:  # __typename
            return objects
        assert plan.definition is not None
        assert plan.field_def is not None
        raw = get_argument_values(plan.field_def, plan.nodes[0], self.variables)
        _, kwargs = get_arguments(
            field=plan.definition,
            source=None,
            info=self.info,  # type: ignore[arg-type]
            kwargs=raw,
            config=self.executor._config,
            scalar_registry=self.executor._scalars,
        )
        function = plan.function
        if not plan.takes_self:
            return [function(**kwargs) for _ in objects]
        if kwargs:
            return [function(source, **kwargs) for source in objects]
        return list(map(function, objects))

    def _complete(
        self, type_: GraphQLOutputType, values: list[Any], nodes: list[FieldNode], below: list[_Group]
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
            builder = self.builder_for(type_, [node.selection_set for node in nodes if node.selection_set])
            results = builder.build(present)  # plain fields filled; the rest None, filled one level down
            if builder.deferred:
                below.append(_Group(type_, present, results, builder.deferred))
            if len(present) == len(values):
                return results
            filled = iter(results)
            return [None if value is None else next(filled) for value in values]
        raise StepAside(f"abstract type {type_}")


def _batch_answer(values: Any, group: _Group) -> list[Any]:
    if not isinstance(values, list) or len(values) != len(group.objects):
        raise StepAside(f"a batch form on {group.type_.name} answered {type(values).__name__}")
    return values


@dataclass(frozen=True, slots=True)
class _Group:
    """Objects of one type at one depth with the same selection, and their results to fill in."""

    type_: GraphQLObjectType
    objects: list[Any]
    results: list[dict[str, Any]]
    plans: list[_FieldPlan]


@dataclass(frozen=True, slots=True)
class _FieldPlan:
    """How to complete one response key of one object type: planned once, used for every object."""

    key: str
    nodes: list[FieldNode]
    field_def: GraphQLField | None  # None for __typename
    definition: StrawberryField | None
    attribute: attrgetter[Any] | None  # a plain field: read the attribute
    function: Any  # a resolver: the function Strawberry wraps
    takes_self: bool
    is_async: bool = False  # the resolver returns an awaitable
    batch: BatchForm | None = None  # one call for all the objects of a level (schema/batching.py)

    @property
    def python_name(self) -> str | None:
        """The attribute a plain field reads; None for a resolver or __typename."""
        return self.definition.python_name if self.attribute is not None and self.definition else None

    @classmethod
    def of(cls, type_: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> _FieldPlan:
        name = nodes[0].name.value
        if name == "__typename":
            return cls(key, nodes, None, None, None, None, takes_self=False)
        field_def = type_.fields[name]
        definition = (field_def.extensions or {}).get(DEFINITION)
        if not isinstance(definition, StrawberryField) or definition.extensions:
            raise StepAside(f"{type_.name}.{name}")
        resolver = definition.base_resolver
        if resolver is None:
            return cls(key, nodes, field_def, definition, attrgetter(definition.python_name), None, takes_self=False)
        takes_self = resolver.self_parameter is not None
        function = resolver.wrapped_func
        batch = batch_form_of(function) if takes_self and not field_def.args and callable(function) else None
        return cls(key, nodes, field_def, definition, None, function, takes_self, resolver.is_async, batch)
