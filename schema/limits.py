"""Limits on what one document may ask, checked at validation (GraphQL Armor's defaults as the reference).

Depth, aliases and directives are measured per operation with fragments expanded: an alias bomb hidden in a
fragment spread a hundred times counts a hundred times. Fragments are measured once each (memoised) and a
cycle counts nothing here: graphql-core's NoFragmentCyclesRule reports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    Visitor,
    visit,
)
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from resolvers.errors import BadUserInput, ErrorCode
from resolvers.values import unstorable_text

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_DIRECTIVES = 50
MAX_SELECTIONS = 200  # in one selection set (`{ ... }`), as written: validation compares them pairwise
MAX_TOKENS = 2_000
MAX_QUERY_CHARACTERS = 20_000
TOO_COMPLEX = {"code": ErrorCode.QUERY_TOO_COMPLEX.value}


@dataclass(frozen=True, slots=True)
class Measure:
    depth: int = 0
    aliases: int = 0
    directives: int = 0

    def __add__(self, other: Measure) -> Measure:
        return Measure(max(self.depth, other.depth), self.aliases + other.aliases, self.directives + other.directives)


class _Measurer:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.measured: dict[str, Measure] = {}
        self.visiting: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode | None) -> Measure:
        total = Measure()
        if selection_set is None:
            return total
        for selection in selection_set.selections:
            directives = len(selection.directives or ())
            if isinstance(selection, FieldNode):
                inner = self.selection_set(selection.selection_set)
                # introspection (`__schema`, `__type`) is not limited by depth: GraphiQL's own query is deep;
                # its aliases and directives count as any others
                introspection = selection.name.value in ("__schema", "__type")
                total = total + Measure(
                    depth=0 if introspection else inner.depth + 1,
                    aliases=inner.aliases + (selection.alias is not None),
                    directives=inner.directives + directives,
                )
            elif isinstance(selection, InlineFragmentNode):
                total = total + self.selection_set(selection.selection_set) + Measure(directives=directives)
            elif isinstance(selection, FragmentSpreadNode):
                total = total + self.fragment(selection.name.value) + Measure(directives=directives)
        return total

    def fragment(self, name: str) -> Measure:
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return Measure()
        self.visiting.add(name)
        result = self.selection_set(definition.selection_set) + Measure(directives=len(definition.directives or ()))
        self.visiting.discard(name)
        self.measured[name] = result
        return result


class QueryLimitsRule(ValidationRule):
    """Reports an operation deeper, or with more aliases or directives, than allowed."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        measurer = _Measurer(context.document)
        for definition in context.document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            measure = measurer.selection_set(definition.selection_set) + Measure(
                directives=len(definition.directives or ())
            )
            name = definition.name.value if definition.name else "anonymous"
            for limit, value, what in (
                (MAX_DEPTH, measure.depth, "deep"),
                (MAX_ALIASES, measure.aliases, "aliases"),
                (MAX_DIRECTIVES, measure.directives, "directives"),
            ):
                if value > limit:
                    self.report_error(_too_complex(name, what, value, limit, definition))


class _RepeatedDirectiveFinder(Visitor):
    """Finds the first location carrying one directive twice (none of this schema's directives repeats)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: DirectiveNode | None = None

    def enter(self, node: Any, *_: Any) -> Any:
        seen: set[str] = set()
        for directive in getattr(node, "directives", None) or ():
            if directive.name.value in seen:
                self.found = directive
                return self.BREAK
            seen.add(directive.name.value)
        return None


class RepeatedDirectivesRule(ValidationRule):
    """Refuses a document repeating a directive at one location, with that one error and no other.

    Validation would otherwise report every copy (GraphQL Cop's "directive overloading"): the check runs
    as the document is entered, before any other rule looks at a field, and stops validation there.
    """

    def enter_document(self, node: DocumentNode, *_: Any) -> None:
        finder = _RepeatedDirectiveFinder()
        visit(node, finder)
        if finder.found is not None:
            name = finder.found.name.value
            message = f"The directive @{name} appears twice at one location; a directive may appear once there"
            raise ValidationAbortedError(message, finder.found)


class WideSelectionsRule(ValidationRule):
    """Refuses a selection set of more than MAX_SELECTIONS selections, with that one error and no other.

    The rule merging a selection set's fields compares them pairwise, recursively: a thousand copies of one
    field in one selection set exhaust Python's recursion limit. The check runs as the document is entered,
    before that rule, and stops validation there.
    """

    def enter_document(self, node: DocumentNode, *_: Any) -> None:
        finder = _WideSelectionFinder()
        visit(node, finder)
        if finder.found is not None:
            count = len(finder.found.selections)
            message = f"A selection set selects {count} fields and fragments; at most {MAX_SELECTIONS} are allowed"
            raise ValidationAbortedError(message, finder.found, extensions=TOO_COMPLEX)


class _WideSelectionFinder(Visitor):
    """Finds the first selection set with more than MAX_SELECTIONS selections."""

    def __init__(self) -> None:
        super().__init__()
        self.found: SelectionSetNode | None = None

    def enter_selection_set(self, node: SelectionSetNode, *_: Any) -> Any:
        if len(node.selections) > MAX_SELECTIONS:
            self.found = node
            return self.BREAK
        return None


class StorableTextRule(ValidationRule):
    """Refuses a string literal the database could not store (`"\\u{0}"` spells a NUL the HTTP layer never sees)."""

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        reason = unstorable_text(node.value)
        if reason is not None:
            self.report_error(GraphQLError(reason, node))


def _too_complex(name: str, what: str, value: int, limit: int, node: Any) -> GraphQLError:
    if what == "deep":
        message = f"Operation {name} is {value} levels deep; at most {limit} are allowed"
    else:
        message = f"Operation {name} has {value} {what}; at most {limit} are allowed"
    return GraphQLError(message, node, extensions=TOO_COMPLEX)


class OperationNameRequired(SchemaExtension):
    """A document with several operations runs only the one named by `operationName`."""

    def on_execute(self) -> Iterator[None]:
        document = self.execution_context.graphql_document
        # `operation_name` falls back to the first operation's name; what the client sent is kept here
        provided = getattr(self.execution_context, "_provided_operation_name", None)
        if document is not None and not provided:
            operations = sum(isinstance(node, OperationDefinitionNode) for node in document.definitions)
            if operations > 1:
                raise BadUserInput("The document has several operations: name the one to run with `operationName`")
        yield
