"""Planning a read operation for the fast executor: which fields each object type completes, and how.

A plan is made per object type and selection (fragments, aliases and @include/@skip resolved) and kept per
document when no directive can change it. Each field plan says how its values are found: an attribute (a plain
field), a resolver called per object, or, for a relation field (`schema/relations.py`), one call for all the
objects of a level.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import VariableValues, get_directive_values
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from gateway.execution import builders
from gateway.execution.builders import Builder
from resolvers.context import Context
from resolvers.relations import Relation
from schema.relations import RelatedField, related_field
from schema.rows import row_of_type

DEFINITION = GraphQLCoreConverter.DEFINITION_BACKREF

Batch = Callable[[Context, Sequence[Any]], Awaitable[list[Any]]]
Joins = dict[type, frozenset[Relation]]  # by row type: the joinable relations selected on the rows of lists


class StepAside(Exception):
    """This request is for the stock executor."""


@dataclass(frozen=True, slots=True)
class DocumentShape:
    """What one walk over a document tells: whether this executor can run it, and whether a directive can
    change its selections from one request to the next."""

    supported: bool
    has_directives: bool


def shape_of(document: DocumentNode) -> DocumentShape:
    """Supported: no introspection, no directives but @include/@skip (the types are checked while running)."""
    stack: list[Any] = list(document.definitions)
    has_directives = False
    while stack:
        node = stack.pop()
        directives = getattr(node, "directives", None) or ()
        has_directives = has_directives or bool(directives)
        if any(directive.name.value not in ("include", "skip") for directive in directives):
            return DocumentShape(supported=False, has_directives=True)
        if isinstance(node, FieldNode) and node.name.value in ("__schema", "__type"):
            return DocumentShape(supported=False, has_directives=has_directives)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return DocumentShape(supported=True, has_directives=has_directives)


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """How to complete one response key of one object type: planned once, used for every object."""

    key: str
    nodes: list[FieldNode]
    field_def: GraphQLField | None  # None for __typename
    definition: StrawberryField | None
    attribute: attrgetter[Any] | None  # a plain field: read the attribute
    function: Any  # a resolver: the function Strawberry wraps
    takes_self: bool
    is_async: bool = False  # the resolver returns an awaitable
    batch: Batch | None = None  # a relation: one call for all the objects of a level
    related: RelatedField | None = None  # the relation behind `batch`

    @property
    def python_name(self) -> str | None:
        """The attribute a plain field reads; None for a resolver or __typename."""
        return self.definition.python_name if self.attribute is not None and self.definition else None

    @classmethod
    def of(cls, type_: GraphQLObjectType, key: str, nodes: list[FieldNode]) -> FieldPlan:
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
        related = related_field(definition.metadata)
        batch = related.resolve_many if related is not None and not field_def.args else None
        takes_self = resolver.self_parameter is not None
        return cls(
            key,
            nodes,
            field_def,
            definition,
            None,
            resolver.wrapped_func,
            takes_self,
            resolver.is_async,
            batch,
            related,
        )


@dataclass(frozen=True, slots=True)
class Plans:
    """Field plans and result builders by (type name, ids of the selection sets)."""

    fields: dict[tuple[Any, ...], list[FieldPlan]] = field(default_factory=dict)
    builders: dict[tuple[Any, ...], Builder] = field(default_factory=dict)
    joins: dict[tuple[Any, ...], Joins] = field(default_factory=dict)


class Planner:
    """The plans of one execution: its fragments and variables decide what each selection holds."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        plans: Plans,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.plans = plans

    def plan_fields(self, type_: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]) -> list[FieldPlan]:
        """The fields to complete on objects of `type_` for these selection sets."""
        key = (type_.name, *map(id, selection_sets))
        plans = self.plans.fields.get(key)
        if plans is None:
            plans = [FieldPlan.of(type_, key, nodes) for key, nodes in self.collect(type_, selection_sets).items()]
            self.plans.fields[key] = plans
        return plans

    def builder_for(self, type_: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]) -> Builder:
        """How results of `type_` objects are made for these selection sets (`builders.py`)."""
        key = ("builder", type_.name, *map(id, selection_sets))
        builder = self.plans.builders.get(key)
        if builder is None:
            plans = self.plan_fields(type_, selection_sets)
            builder = self.plans.builders[key] = builders.builder_for(type_, plans, self._plans_below)
        return builder

    def list_joins(self, plans: list[FieldPlan]) -> Joins:
        """The relations selected on the nodes of the connections among `plans` (a level's fields), by the row
        type of the nodes: what a list may fetch in its own statement (`resolvers.lists.list_page`)."""
        key = ("joins", *(id(node) for plan in plans for node in plan.nodes))
        joins = self.plans.joins.get(key)
        if joins is None:
            found: dict[type, set[Relation]] = {}
            for plan in plans:
                self._joins_of(plan, found)
            joins = self.plans.joins[key] = {row: frozenset(relations) for row, relations in found.items()}
        return joins

    def _joins_of(self, plan: FieldPlan, found: dict[type, set[Relation]]) -> None:
        if plan.field_def is None:
            return
        connection = get_named_type(plan.field_def.type)
        if not isinstance(connection, GraphQLObjectType) or "nodes" not in connection.fields:
            return
        node_type = get_named_type(connection.fields["nodes"].type)
        row = row_of_type(node_type.name)
        if row is None or not isinstance(node_type, GraphQLObjectType):
            return
        node_sets: list[SelectionSetNode] = []
        for nodes in self.collect(
            connection, [node.selection_set for node in plan.nodes if node.selection_set]
        ).values():
            if nodes[0].name.value == "nodes":
                node_sets += [node.selection_set for node in nodes if node.selection_set]
            elif nodes[0].name.value == "edges":
                edge = get_named_type(connection.fields["edges"].type)
                assert isinstance(edge, GraphQLObjectType)
                edge_sets = [node.selection_set for node in nodes if node.selection_set]
                for edge_nodes in self.collect(edge, edge_sets).values():
                    if edge_nodes[0].name.value == "node":
                        node_sets += [node.selection_set for node in edge_nodes if node.selection_set]
        if node_sets:
            planned = self.plan_fields(node_type, node_sets)
            relations = {plan.related.relation for plan in planned if plan.related and plan.related.relation.join()}
            found.setdefault(row, set()).update(relations)

    def _plans_below(self, type_: GraphQLObjectType, nodes: list[FieldNode]) -> list[FieldPlan]:
        return self.plan_fields(type_, [node.selection_set for node in nodes if node.selection_set])

    def collect(
        self, type_: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """The field nodes of each response key, fragments expanded and directives applied."""
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
        condition_type = self.schema.get_type(condition.name.value)
        if condition_type is type_:
            return True
        return bool(condition_type is not None and self.schema.is_sub_type(condition_type, type_))  # type: ignore[arg-type]
