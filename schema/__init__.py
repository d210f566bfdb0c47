"""The GraphQL schema: Strawberry types declared per domain, composed here."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types.execution import ExecutionContext

from schema.node import NODE_CLASSES
from schema.query import Query
from schema.scalars import SCALAR_MAP


class GatewaySchema(strawberry.Schema):
    """Errors are logged and masked by the HTTP layer, which knows the request id."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        return None


def build_schema(**overrides: Any) -> GatewaySchema:
    return GatewaySchema(
        query=Query,
        types=NODE_CLASSES,
        extensions=[lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)],
        config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALAR_MAP),
        **overrides,
    )


schema = build_schema()
