"""schema.graphql is the exported SDL of the code; regenerate it with `sales-gateway schema > schema.graphql`."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema

from schema import schema

SNAPSHOT = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_equals_the_code() -> None:
    assert SNAPSHOT.read_text(encoding="utf-8").strip() == schema.as_str().strip(), (
        "schema.graphql is stale: run `sales-gateway schema > schema.graphql`"
    )


def test_tools_reading_the_sdl_find_its_roots_and_the_live_feed_as_the_subscription_root() -> None:
    """graphql-js and graphql-core take types named Query, Mutation and Subscription for the roots unless the
    SDL names them; `Subscription` is a recurring purchase, never the subscription root: `LiveFeed` is."""
    built = build_schema(SNAPSHOT.read_text(encoding="utf-8"))
    assert built.query_type is not None
    assert built.query_type.name == "Query"
    assert built.mutation_type is not None
    assert built.mutation_type.name == "Mutation"
    assert built.subscription_type is not None
    assert built.subscription_type.name == "LiveFeed"
    assert "planName" in built.type_map["Subscription"].fields  # type: ignore[attr-defined]
