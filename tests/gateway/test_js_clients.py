"""Real JavaScript clients against a live gateway (npm packages pinned in tests/clients/package-lock.json):
Apollo Client with persisted queries over POST and GET and its cache updated by a mutation's payload,
graphql-codegen followed by `tsc --strict`, relay-compiler over the GraphiQL examples, and graphql-inspector
comparing the live schema with schema.graphql."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from gateway.http.pages import STATIC_DIR
from tests.clients import CLIENTS, run_client, run_tool
from tests.factories.finance import make_funded_seller
from tests.factories.producers import Seller
from tests.processes import gateway_in_thread

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [
    example["query"] for example in json.loads((STATIC_DIR / "graphiql" / "examples.json").read_text())["examples"]
]


@pytest.fixture(scope="module")
def gateway(database_url: str) -> Iterator[str]:
    with gateway_in_thread(database_url, "js-clients-gateway") as url:
        yield url


@pytest.fixture
async def funded(connection: asyncpg.Connection) -> Seller:
    return await make_funded_seller(connection)


def _brl(balances: dict[str, Any]) -> dict[str, Any]:
    return next(balance for balance in balances["balances"] if balance["currency"] == "BRL")


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_apollo_sends_hashes_falls_back_to_the_query_once_and_its_cache_follows_a_mutation(
    gateway: str, funded: Seller, method: str
) -> None:
    run = await asyncio.to_thread(
        run_client, "apollo.mjs", f"{gateway}/graphql", funded.key, method.lower(), f"apollo{uuid.uuid4().hex}"
    )
    requests = run["requests"]
    # the first query: its hash alone (unknown), then the hash with the query (by POST), learned
    assert requests[0] == {"method": method, "query": False, "hash": True, "status": 200}
    assert requests[1] == {"method": "POST", "query": True, "hash": True, "status": 200}
    # the second: its hash alone, known now
    assert requests[2] == {"method": method, "query": False, "hash": True, "status": 200}
    assert run["first"] == run["second"]
    assert run["first"]["viewer"]["name"]

    before = Decimal(_brl(run["before"])["available"]["amount"])
    payload = run["withdrawal"]["requestWithdrawal"]
    assert payload["userErrors"] == []
    assert Decimal(payload["balance"]["available"]["amount"]) == before - Decimal("10.00")
    # the payload's balance has the cached balance's id: the cached `balances` query sees the new amount
    assert _brl(run["cached"]) == payload["balance"]


def test_codegen_types_every_scalar_and_tsc_strict_accepts_code_using_them(tmp_path: Path) -> None:
    documents = tmp_path / "src"
    documents.mkdir()
    for number, query in enumerate(EXAMPLES):
        (documents / f"example{number}.graphql").write_text(query)
    types = tmp_path / "types.ts"
    environment = {"SCHEMA": str(ROOT / "schema.graphql"), "DOCUMENTS": f"{documents}/*.graphql", "OUTPUT": str(types)}
    run_tool("graphql-codegen", "--config", "codegen.ts", environment=environment)
    generated = types.read_text()
    assert "amount: string" in generated  # Decimal
    assert "createdAt: string" in generated  # DateTime
    assert not re.search(r":\s*(any|unknown)\b", generated.replace("[key: string]: unknown", ""))
    shutil.copy(CLIENTS / "usage.ts", tmp_path / "usage.ts")
    run_tool(
        "tsc", "--strict", "--noEmit", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler",
        str(types), str(tmp_path / "usage.ts"),
    )  # fmt: skip


def test_relay_compiler_compiles_the_graphiql_examples_as_fragments(tmp_path: Path) -> None:
    """Each example becomes what a Relay app writes: a fragment on Query (its selection) and a query spreading
    it (its variables), named as Relay wants (the module, the operation, then `_query` or `Query`)."""
    source = tmp_path / "src"
    (source / "__generated__").mkdir(parents=True)
    modules = []
    for example in EXAMPLES:
        text = "\n".join(line for line in example.splitlines() if not line.lstrip().startswith("#"))
        operation = re.search(r"^query (\w+)(\([^)]*\))?\s*\{", text, re.MULTILINE)
        assert operation is not None, example
        name, variables = operation.group(1), operation.group(2) or ""
        selection = text[operation.end() :].rstrip().removesuffix("}")
        modules.append(
            f"export const {name}Fragment = graphql`fragment Examples{name}_query on Query {{{selection}}}`;"
        )
        modules.append(
            f"export const {name}Query = graphql`query Examples{name}Query{variables} {{ ...Examples{name}_query }}`;"
        )
    (source / "Examples.ts").write_text('import { graphql } from "relay-runtime";\n\n' + "\n".join(modules) + "\n")
    shutil.copy(ROOT / "schema.graphql", tmp_path / "schema.graphql")
    config = {
        "src": "./src",
        "schema": "./schema.graphql",
        "language": "typescript",
        "artifactDirectory": "./src/__generated__",
    }
    (tmp_path / "relay.config.json").write_text(json.dumps(config))
    run_tool("relay-compiler", cwd=tmp_path)
    artifacts = sorted(path.name for path in (source / "__generated__").iterdir())
    assert len(modules) == 2 * len(EXAMPLES)  # every example names its operation
    assert len(artifacts) == len(modules)
    assert "ExamplesReportsQuery.graphql.ts" in artifacts


async def test_graphql_inspector_finds_no_change_between_the_live_schema_and_schema_graphql(
    gateway: str, funded: Seller
) -> None:
    found = await asyncio.to_thread(
        run_client, "inspector.mjs", f"{gateway}/graphql", funded.key, str(ROOT / "schema.graphql")
    )
    assert found["changes"] == []
