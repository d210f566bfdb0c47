"""A breadth-first executor for read operations, beside the stock one.

graphql-core completes a response object by object and field by field: every object with an asynchronous
child gets its own coroutine and gather, and every field goes through Strawberry's resolver wrapper. On a
page of 50 sales with their product, buyer and affiliate that is thousands of small steps (see DESIGN.md,
"Performance").

This executor plans each document once (`planning.py`) and completes the response one depth at a time
across the whole tree (`completing.py`): loads anywhere at one depth share one statement, plain fields are
filled by generated code (`builders.py`), and a relation field is resolved once per level for all its
objects, from the same declaration the per-object resolver uses (`schema/relations.py`). The resolvers and
types are the same Strawberry ones; only the walk differs.

It answers only the happy path of plain queries. Anything else (a validation or variable error, any error
in a resolver, a null in a non-null field, introspection, an abstract type, a field extension, a mutation)
makes it step aside (`None`), and the stock executor answers the request from scratch: errors, their paths
and messages then come from the reference implementation. A differential test keeps the two equal.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from graphql.execution.values import VariableValues, get_variable_values
from strawberry.schema.schema import validate_document

from gateway.execution.completing import Completer, InfoShim
from gateway.execution.planning import Planner, Plans, shape_of
from loaders.registry import Loaders
from resolvers.context import Context
from schema import Costed, GatewaySchema
from schema.caching import TOKEN_BYTES, BoundedCache, document_bytes, unlink_tokens
from schema.cost import requested_cost
from schema.limits import MAX_TOKENS

PREPARED_ENTRIES = 512
PREPARED_BYTES = 24 * 2**20
"""The prepared documents kept: 512, and at most 24 MiB of them, as estimated by `document_bytes` with:"""
PREPARED_TOKEN_BYTES = TOKEN_BYTES + 300
"""Bytes a prepared document keeps per token: the parsed document, and the field plans its first run makes
(measured at 550 to 650 in all; tests/gateway/test_execution_caches.py keeps the estimate above it)."""

PreparedKey = tuple[str, str | None]  # the document's text and the operation's name


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed and validated operation this executor can run, with its field plans when they are fixed."""

    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    plans: Plans | None  # None: planned per request (a directive may change the selections)


class FastExecutor:
    def __init__(self, schema: GatewaySchema) -> None:
        self._schema = schema.graphql_schema
        self._rules = schema.validation_rules
        self._scalars = schema.schema_converter.scalar_registry
        self._config = schema.config
        self.prepared: BoundedCache[PreparedKey, Prepared | None] = BoundedCache(
            max_entries=PREPARED_ENTRIES, max_bytes=PREPARED_BYTES
        )
        self.answered = 0  # requests this executor answered
        self.stepped_aside = 0  # requests it left to the stock executor

    def _prepare(self, query: str, operation_name: str | None) -> tuple[Prepared | None, int]:
        """The operation to run and its fragments, when this executor can run it, with the bytes it keeps (the
        text alone when it cannot); parsed and validated once."""
        not_runnable = None, sys.getsizeof(query) + sys.getsizeof(operation_name)  # the key alone
        try:
            document = parse(query, max_tokens=MAX_TOKENS)
        except GraphQLError:
            return not_runnable
        tokens = unlink_tokens(query, document)  # and a document dropped is freed at once (schema/caching.py)
        if validate_document(self._schema, document, self._rules):
            return not_runnable
        operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
        if operation_name:
            operations = [node for node in operations if node.name and node.name.value == operation_name]
        if len(operations) != 1 or operations[0].operation != OperationType.QUERY:
            return not_runnable
        shape = shape_of(document)
        if not shape.supported:
            return not_runnable
        fragments = {node.name.value: node for node in document.definitions if isinstance(node, FragmentDefinitionNode)}
        # without @include/@skip the selection of every level is the same for every request: plan it once
        prepared = Prepared(operations[0], fragments, None if shape.has_directives else Plans())
        return prepared, document_bytes(query, tokens, PREPARED_TOKEN_BYTES) + sys.getsizeof(operation_name)

    def costed(self, query: str, operation_name: str | None, variables: dict[str, Any] | None) -> Costed | None:
        """The cost of a document this executor runs (`schema/cost.py`), from the document it prepared once;
        None when it leaves the document to the stock executor."""
        prepared = self.prepared.get_or_add((query, operation_name), lambda: self._prepare(query, operation_name))
        if prepared is None:
            return None
        requested = requested_cost(self._schema, prepared.operation, prepared.fragments, variables)
        return Costed(prepared.operation, prepared.fragments, requested)

    async def execute(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None, context: Context
    ) -> dict[str, Any] | None:
        """The response body (`{"data": ...}`), or None when the stock executor must answer."""
        prepared = self.prepared.get_or_add((query, operation_name), lambda: self._prepare(query, operation_name))
        query_type = self._schema.query_type
        if prepared is None or query_type is None:
            self.stepped_aside += 1
            return None
        operation = prepared.operation
        coerced = get_variable_values(self._schema, operation.variable_definitions or (), variables or {})
        if not isinstance(coerced, VariableValues):
            self.stepped_aside += 1
            return None
        planner = Planner(self._schema, prepared.fragments, coerced, prepared.plans or Plans())
        completer = Completer(planner, InfoShim(context), self._config, self._scalars)
        try:
            root_plans = planner.plan_fields(query_type, [operation.selection_set])
            context.joins.update(planner.list_joins(root_plans))
            data = await completer.complete_tree(query_type, root_plans)
        except Exception:  # any error: the stock executor answers, with its errors, from a clean start
            await context.db.close(commit=False)  # a failed statement aborts the transaction
            context.loaders = Loaders(context.db)  # and nothing half-loaded carries over
            context.joins.clear()  # the stock executor is the reference: it joins nothing
            self.stepped_aside += 1
            return None
        self.answered += 1
        return {"data": data}
