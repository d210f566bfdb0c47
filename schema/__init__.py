"""The GraphQL schema: Strawberry types declared per domain, composed here."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter, ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types.execution import ExecutionContext

from schema.limits import MAX_TOKENS, OperationNameRequired, QueryLimitsRule
from schema.mutation import Mutation, ReadCommittedForMutations
from schema.node import NODE_CLASSES
from schema.query import Query
from schema.scalars import SCALAR_MAP


class GatewaySchema(strawberry.Schema):
    """Errors are logged and masked by the HTTP layer, which knows the request id."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        return None


def build_schema(*, production: bool = False, **overrides: Any) -> GatewaySchema:
    """The schema; in production introspection is refused and errors suggest no field names."""
    rules: list[Any] = [QueryLimitsRule]
    if production:
        rules.append(NoSchemaIntrospectionCustomRule)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        types=NODE_CLASSES,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            lambda: AddValidationRules(rules),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            OperationNameRequired,
            ReadCommittedForMutations,
        ],
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALAR_MAP, disable_field_suggestions=production),
        **overrides,
    )


schema = build_schema()
