"""What a document costs, computed from the document before it runs (Shopify's calculated query cost).

Each field costs what is declared where it is declared (`strawberry.field(metadata=cost(5))`), or else by what
it returns: an object, a list of objects or a connection 1, a scalar or an enum 0. A connection's items are
counted as many times as the page asks for (`first` or `last`, DEFAULT_PAGE_SIZE when neither is given, at most
MAX_PAGE_SIZE: the list refuses more): the
cost of `edges` and `nodes` is the page size times the cost of one item's selection. Fragments, inline fragments
and fields under `@include`/`@skip` all count: the cost is an upper bound of what the document can ask for.
"""

from __future__ import annotations

from collections.abc import Mapping
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


class CostCounter:
    """The requested cost of one operation of a document, with its variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any] | None,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables or {}
        self.spreading: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return 0 if root is None else self.selection_set(operation.selection_set, root)

    def selection_set(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, inner or parent)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in self.spreading:  # unknown or cyclic: validation reports it
                    continue
                self.spreading.add(name)
                inner = self.schema.get_type(fragment.type_condition.name.value) or parent
                total += self.selection_set(fragment.selection_set, inner)
                self.spreading.discard(name)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> int:
        fields = getattr(parent, "fields", None)
        field = fields.get(node.name.value) if fields else None
        if field is None:  # __typename, or a field validation refuses
            return 0
        named = get_named_type(field.type)
        if named.name.endswith("Connection") and "first" in field.args:
            return field_cost(field) + self._connection(node, named, self._page_size(node))
        return field_cost(field) + self.selection_set(node.selection_set, named)

    def _connection(self, node: FieldNode, connection: GraphQLNamedType, page_size: int) -> int:
        """A connection's selection: its items' parts counted `page_size` times."""
        if node.selection_set is None:
            return 0
        total = 0
        for selection in node.selection_set.selections:
            if isinstance(selection, FieldNode) and selection.name.value in PAGE_ITEMS:
                field = connection.fields[selection.name.value]  # type: ignore[attr-defined]
                item = get_named_type(field.type)
                total += page_size * (1 + self.selection_set(selection.selection_set, item))
            else:
                total += self.selection_set(SelectionSetNode(selections=(selection,)), connection)
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


def _page(size: int) -> int:
    """A page size as it can run: beyond MAX_PAGE_SIZE the list refuses it, so it costs no more than that."""
    return min(max(size, 0), MAX_PAGE_SIZE)


def requested_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
) -> int:
    return CostCounter(schema, fragments, variables).operation(operation)


class ActualCounter:
    """The cost of what an answer holds: as `CostCounter`, with the items each page really returned instead of
    the page size (a field the answer does not hold, or a null, costs nothing below itself). An item whose
    selection holds no page is priced once and multiplied, not walked: a page of 100 costs what a page of 1 does."""

    def __init__(self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.spreading: set[str] = set()
        self.fixed: dict[int, int | None] = {}  # per item selection (by id): its cost when it holds no page

    def operation(self, operation: OperationDefinitionNode, data: Any) -> int:
        root = self.schema.get_root_type(operation.operation)
        return 0 if root is None else self.selection_set(operation.selection_set, root, data)

    def selection_set(self, selection_set: SelectionSetNode | None, parent: GraphQLNamedType, data: Any) -> int:
        if selection_set is None or not isinstance(data, dict):
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                if key in data:
                    total += self.field(selection, parent, data[key])
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, inner or parent, data)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in self.spreading:
                    continue
                self.spreading.add(name)
                inner = self.schema.get_type(fragment.type_condition.name.value) or parent
                total += self.selection_set(fragment.selection_set, inner, data)
                self.spreading.discard(name)
        return total

    def field(self, node: FieldNode, parent: GraphQLNamedType, value: Any) -> int:
        fields = getattr(parent, "fields", None)
        field = fields.get(node.name.value) if fields else None
        if field is None:
            return 0
        named = get_named_type(field.type)
        own = field_cost(field)
        if value is None or node.selection_set is None:
            return own
        if named.name.endswith("Connection") and "first" in field.args and isinstance(value, dict):
            total = own
            for selection in node.selection_set.selections:
                if isinstance(selection, FieldNode) and selection.name.value in PAGE_ITEMS:
                    items = value.get((selection.alias or selection.name).value) or []
                    item = get_named_type(named.fields[selection.name.value].type)
                    total += self._items(selection.selection_set, item, items)
                else:
                    total += self.selection_set(SelectionSetNode(selections=(selection,)), named, value)
            return total
        if isinstance(value, list):  # a plain list: its selection counts once, as when it was asked for
            return own + max((self.selection_set(node.selection_set, named, entry) for entry in value), default=0)
        return own + self.selection_set(node.selection_set, named, value)

    def _items(self, selection_set: SelectionSetNode | None, item: GraphQLNamedType, items: list[Any]) -> int:
        key = id(selection_set)
        if key not in self.fixed:
            counter = CostCounter(self.schema, self.fragments, None)
            self.fixed[key] = (
                None
                if _holds_page(selection_set, item, self.schema, self.fragments)
                else (counter.selection_set(selection_set, item))
            )
        fixed = self.fixed[key]
        if fixed is not None:
            return len(items) * (1 + fixed)
        return sum(1 + self.selection_set(selection_set, item, entry) for entry in items)


def _holds_page(
    selection_set: SelectionSetNode | None,
    parent: GraphQLNamedType,
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> bool:
    """Whether a selection asks, anywhere below, for a page of a connection (whose size varies per item)."""
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            fields = getattr(parent, "fields", None)
            field = fields.get(selection.name.value) if fields else None
            if field is None:
                continue
            named = get_named_type(field.type)
            if named.name.endswith("Connection") and "first" in field.args:
                return True
            if _holds_page(selection.selection_set, named, schema, fragments, seen):
                return True
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            inner = (schema.get_type(condition.name.value) if condition else parent) or parent
            if _holds_page(selection.selection_set, inner, schema, fragments, seen):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue
            inner = schema.get_type(fragment.type_condition.name.value) or parent
            if _holds_page(fragment.selection_set, inner, schema, fragments, seen | {name}):
                return True
    return False


def actual_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    data: Any,
) -> int:
    return ActualCounter(schema, fragments).operation(operation, data)
