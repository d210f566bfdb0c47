"""The GraphQL schema: Strawberry types declared per domain, composed here with the rules every document meets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    specified_rules,
)
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types.execution import ExecutionContext

from schema.caching import (
    BoundedCache,
    CheckedDocument,
    DocumentCache,
    DocumentKey,
    document_key,
    new_document_cache,
    parsed_document,
    validated,
)
from schema.common import NODE_TYPES
from schema.cost import actual_cost, requested_cost
from schema.feed import LiveFeed
from schema.limits import (
    MAX_TOKENS,
    OperationNameRequired,
    QueryLimitsRule,
    RepeatedDirectivesRule,
    StorableTextRule,
    WideSelectionsRule,
)
from schema.mutation import Mutation, ReadCommittedForMutations
from schema.query import Query
from schema.scalars import SCALAR_MAP


@dataclass(frozen=True, slots=True)
class Costed:
    """An operation about to run, and its requested cost."""

    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    requested: int


class GatewaySchema(strawberry.Schema):
    """The schema and what running a document against it takes besides: the validation rules, the limits."""

    def __init__(
        self,
        *,
        added_rules: tuple[type[ASTValidationRule], ...],
        documents: BoundedCache[DocumentKey, CheckedDocument],
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.validation_rules: tuple[type[ASTValidationRule], ...] = (*specified_rules, *added_rules)
        self.documents = documents  # what `DocumentCache` keeps for the requests Strawberry executes

    @property
    def graphql_schema(self) -> GraphQLSchema:
        """The graphql-core schema Strawberry built."""
        return self._schema

    def as_str(self) -> str:
        """The SDL, with a `schema { query: Query mutation: Mutation subscription: LiveFeed }` block naming its
        roots.

        Without the block, tools reading the SDL (graphql-js, relay-compiler, graphql-inspector) take the types
        named Query, Mutation and Subscription for the roots, and `Subscription` here is a recurring purchase,
        not the subscription root.
        """
        sdl = super().as_str()
        if sdl.startswith("schema {"):
            return sdl
        roots = (
            ("query", self._schema.query_type),
            ("mutation", self._schema.mutation_type),
            ("subscription", self._schema.subscription_type),
        )
        block = "".join(f"  {operation}: {root.name}\n" for operation, root in roots if root is not None)
        return f"schema {{\n{block}}}\n\n{sdl}"

    def costed(self, query: str, operation_name: str | None, variables: dict[str, Any] | None) -> Costed | None:
        """The operation `query` runs and what it asks for (`schema/cost.py`), before it runs; None when the
        document does not parse or validate, or names no single operation (execution then says so). Parsed and
        validated once: the document is kept where the executions find it."""
        options = {"max_tokens": MAX_TOKENS}
        key = document_key(query, options)
        try:
            checked = self.documents.get_or_add(key, lambda: parsed_document(query, options))
        except GraphQLError:
            return None
        if validated(self.documents, key, checked, self._schema, self.validation_rules):
            return None  # the execution reports the errors; an invalid document has no cost
        definitions = checked.document.definitions
        operations = [node for node in definitions if isinstance(node, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [node for node in operations if node.name is not None and node.name.value == operation_name]
        if len(operations) != 1:
            return None
        fragments = {node.name.value: node for node in definitions if isinstance(node, FragmentDefinitionNode)}
        return Costed(operations[0], fragments, requested_cost(self._schema, operations[0], fragments, variables))

    def actual_cost(self, costed: Costed, data: Any) -> int:
        """What the answer `data` to `costed` holds, in cost points."""
        return actual_cost(self._schema, costed.operation, costed.fragments, data)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Errors are logged and masked by the HTTP layer, which knows the request id."""
        return None


def build_schema(
    *, production: bool = False, error_extensions: Sequence[type[SchemaExtension]] = (), **overrides: Any
) -> GatewaySchema:
    """The schema; in production introspection is refused and errors suggest no field names. `error_extensions`
    shape the errors of what Strawberry answers by itself (the live feed's WebSocket)."""
    added_rules: tuple[type[ASTValidationRule], ...] = (
        RepeatedDirectivesRule,
        WideSelectionsRule,
        QueryLimitsRule,
        StorableTextRule,
    )
    if production:
        added_rules += (NoSchemaIntrospectionCustomRule,)
    documents = new_document_cache()  # parsed and validated documents, shared by this schema's requests
    return GatewaySchema(
        added_rules=added_rules,
        documents=documents,
        query=Query,
        mutation=Mutation,
        subscription=LiveFeed,
        types=list(NODE_TYPES.values()),
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: AddValidationRules(list(added_rules)),
            lambda: DocumentCache(documents),
            OperationNameRequired,
            ReadCommittedForMutations,
            *error_extensions,
        ],
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALAR_MAP, disable_field_suggestions=production),
        **overrides,
    )


schema = build_schema()
