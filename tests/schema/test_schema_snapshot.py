"""schema.graphql is the exported SDL of the code; regenerate it with `sales-gateway schema > schema.graphql`."""

from __future__ import annotations

from pathlib import Path

from schema import schema

SNAPSHOT = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_graphql_equals_the_code() -> None:
    assert SNAPSHOT.read_text(encoding="utf-8").strip() == schema.as_str().strip(), (
        "schema.graphql is stale: run `sales-gateway schema > schema.graphql`"
    )
