"""What a document costs, computed from the document before it runs (Shopify's calculated query cost).

Each field costs what is declared where it is declared (`strawberry.field(metadata=cost(5))`), or else by what
it returns: an object, a list of objects or a connection 1, a scalar or an enum 0. A connection's items are
counted as many times as the page asks for (`first` or `last`, DEFAULT_PAGE_SIZE when neither is given, at most
MAX_PAGE_SIZE: the list refuses more): the cost of `edges` and `nodes` is the page size times the cost of one
item's selection. Fragments and inline fragments count where they are spread (a page selected through a fragment
on the connection too), and fields under `@include`/`@skip` count: the cost is an upper bound.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)

from resolvers.lists import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

COST_KEY = "cost"
AGGREGATE = 5  # a statement aggregating a period of sales (the card, a report, a summary)
COUNT = 2  # a count of a whole list (`totalCount`)
MUTATION = 10  # a write, checked and audited in its own transaction
PAGE_ITEMS = ("edges", "nodes")  # a connection's fields that hold one entry per item of the page


def cost(points: int) -> dict[str, int]:
    """A field's declared cost, for `strawberry.field(metadata=...)`."""
    return {COST_KEY: points}


def field_cost(field: GraphQLField) -> int:
    """The field's declared cost, or its default by what it returns."""
    definition = field.extensions.get("strawberry-definition")
    declared = getattr(definition, "metadata", None) or {}
    if COST_KEY in declared:
        return int(declared[COST_KEY])
    return 1 if is_composite_type(get_named_type(field.type)) else 0


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What pricing a field needs, worked out once per field of the schema."""

    cost: int
    returns: GraphQLNamedType
    connection: bool  # a page of a connection: `first`/`last` and its items


# by the field's id (a GraphQLField compares by value, so it is not hashable); the field is kept with its info,
# so that its id is not reused while the entry exists. A schema's fields live as long as the process.
_INFO: dict[int, tuple[GraphQLField, FieldInfo]] = {}


def info_of(field: GraphQLField) -> FieldInfo:
    known = _INFO.get(id(field))
    if known is not None:
        return known[1]
    returns = get_named_type(field.type)
    info = FieldInfo(field_cost(field), returns, returns.name.endswith("Connection") and "first" in field.args)
    _INFO[id(field)] = (field, info)
    return info


Fragments = Mapping[str, FragmentDefinitionNode]


def selected_fields(
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType,
    schema: GraphQLSchema,
    fragments: Fragments,
    spreading: frozenset[str] = frozenset(),
) -> Iterator[tuple[FieldNode, GraphQLField]]:
    """The fields a selection set selects on `parent`, fragments and inline fragments expanded in place, each
    with its definition (`__typename`, and a field validation refuses, left out; a cyclic or unknown fragment
    too: validation reports it)."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            field = getattr(parent, "fields", {}).get(selection.name.value)
            if field is not None:
                yield selection, field
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner = (schema.get_type(condition.name.value) if condition else parent) or parent
            yield from selected_fields(selection.selection_set, inner, schema, fragments, spreading)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in spreading:
                inner = schema.get_type(fragment.type_condition.name.value) or parent
                yield from selected_fields(fragment.selection_set, inner, schema, fragments, spreading | {name})


def _page(size: int) -> int:
    """A page size as it can run: beyond MAX_PAGE_SIZE the list refuses it, so it costs no more than that."""
    return min(max(size, 0), MAX_PAGE_SIZE)


class CostCounter:
    """The requested cost of a selection, with the operation's variables."""

    def __init__(self, schema: GraphQLSchema, fragments: Fragments, variables: Mapping[str, Any] | None) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables or {}

    def selection_set(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType) -> int:
        return sum(
            self.field(node, field)
            for node, field in selected_fields(selection_set, parent, self.schema, self.fragments)
        )

    def field(self, node: FieldNode, field: GraphQLField) -> int:
        info = info_of(field)
        if not info.connection:
            return info.cost + self.selection_set(node.selection_set, info.returns)
        size, total = self._page_size(node), info.cost
        for part, definition in selected_fields(node.selection_set, info.returns, self.schema, self.fragments):
            if part.name.value in PAGE_ITEMS:  # one entry per item of the page
                total += size * (1 + self.selection_set(part.selection_set, info_of(definition).returns))
            else:
                total += self.field(part, definition)
        return total

    def _page_size(self, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                value = argument.value
                if isinstance(value, IntValueNode):
                    return _page(int(value.value))
                if isinstance(value, VariableNode) and isinstance(self.variables.get(value.name.value), int):
                    return _page(int(self.variables[value.name.value]))
        return DEFAULT_PAGE_SIZE


def requested_cost(
    schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Fragments, variables: Mapping[str, Any] | None
) -> int:
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return CostCounter(schema, fragments, _with_defaults(operation, variables)).selection_set(
        operation.selection_set, root
    )


def _with_defaults(operation: OperationDefinitionNode, variables: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The variables sent, and the operation's whole-number defaults for those not sent (`$first: Int = 10`)."""
    defaults = {
        definition.variable.name.value: int(definition.default_value.value)
        for definition in operation.variable_definitions or ()
        if isinstance(definition.default_value, IntValueNode)
    }
    return defaults | dict(variables or {})


class ActualCounter:
    """The cost of what an answer holds: as `CostCounter`, with the items each page really returned instead of
    the page size (a field the answer does not hold, or a null, costs nothing below itself). An item whose
    selection holds no page is priced once and multiplied, not walked: a page of 100 costs what a page of 1 does."""

    def __init__(self, schema: GraphQLSchema, fragments: Fragments) -> None:
        self.schema = schema
        self.fragments = fragments
        self.fixed: dict[int, int | None] = {}  # per item selection (by id): its cost when it holds no page

    def selection_set(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, data: Any) -> int:
        if not isinstance(data, dict):
            return 0
        total = 0
        for node, field in selected_fields(selection_set, parent, self.schema, self.fragments):
            key = (node.alias or node.name).value
            if key in data:
                total += self.field(node, field, data[key])
        return total

    def field(self, node: FieldNode, field: GraphQLField, value: Any) -> int:
        info = info_of(field)
        named, own = info.returns, info.cost
        if value is None or node.selection_set is None:
            return own
        if info.connection and isinstance(value, dict):
            total = own
            for part, definition in selected_fields(node.selection_set, named, self.schema, self.fragments):
                key = (part.alias or part.name).value
                if part.name.value in PAGE_ITEMS:
                    total += self._items(part.selection_set, info_of(definition).returns, value.get(key) or [])
                elif key in value:
                    total += self.field(part, definition, value[key])
            return total
        if isinstance(value, list):  # a plain list: its selection counts once, as when it was asked for
            return own + max((self.selection_set(node.selection_set, named, entry) for entry in value), default=0)
        return own + self.selection_set(node.selection_set, named, value)

    def _items(self, selection_set: SelectionSetNode | None, item: GraphQLNamedType, items: list[Any]) -> int:
        key = id(selection_set)
        if key not in self.fixed:
            holds_page = _holds_page(selection_set, item, self.schema, self.fragments)
            counter = CostCounter(self.schema, self.fragments, None)
            self.fixed[key] = None if holds_page else counter.selection_set(selection_set, item)
        fixed = self.fixed[key]
        if fixed is not None:
            return len(items) * (1 + fixed)
        return sum(1 + self.selection_set(selection_set, item, entry) for entry in items)


def _holds_page(
    selection_set: SelectionSetNode | None, parent: GraphQLNamedType, schema: GraphQLSchema, fragments: Fragments
) -> bool:
    """Whether a selection asks, anywhere below, for a page of a connection (whose size varies per item)."""
    return any(
        info_of(field).connection or _holds_page(node.selection_set, info_of(field).returns, schema, fragments)
        for node, field in selected_fields(selection_set, parent, schema, fragments)
    )


def actual_cost(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Fragments, data: Any) -> int:
    root = schema.get_root_type(operation.operation)
    return 0 if root is None else ActualCounter(schema, fragments).selection_set(operation.selection_set, root, data)
