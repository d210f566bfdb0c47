"""GraphQL over HTTP: the media types and status codes of the spec, held by the `graphql-http` audit (npm) run
against a live gateway, and each rule the audit checks, one by one."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import httpx
import pytest

from tests.clients import run_client
from tests.factories.producers import Seller, make_seller
from tests.processes import gateway_in_thread

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def gateway(database_url: str) -> Iterator[str]:
    with gateway_in_thread(database_url, "graphql-over-http-gateway") as url:
        yield url


@pytest.fixture
async def seller(connection: asyncpg.Connection) -> Seller:
    return await make_seller(connection)


@pytest.mark.slow
async def test_the_graphql_http_audit_finds_no_error_and_no_warning(gateway: str, seller: Seller) -> None:
    audit = await asyncio.to_thread(run_client, "audit.mjs", f"{gateway}/graphql", seller.key)
    print(f"\ngraphql-http audit: {audit['counts']}")
    assert audit["problems"] == []
    assert audit["counts"]["ok"] >= 60


async def _ask(gateway: str, seller: Seller, query: str, accept: str | None, **extra: object) -> httpx.Response:
    headers = {"authorization": f"Bearer {seller.key}"} | ({"accept": accept} if accept else {})
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as http:
        return await http.post("/graphql", json={"query": query, **extra}, headers=headers)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ viewer { name ", None),
        ("{ viewer { nope } }", None),
        ("query ($n: Int!) { sales(first: $n) { totalCount } }", {"n": "x"}),
    ],
    ids=["parse", "validation", "variables"],
)
async def test_a_document_that_cannot_run_is_400_without_data_in_the_graphql_response_type(
    gateway: str, seller: Seller, query: str, variables: dict[str, object] | None
) -> None:
    spec = await _ask(gateway, seller, query, f"{GRAPHQL_RESPONSE}, application/json;q=0.9", variables=variables)
    assert spec.status_code == 400
    assert spec.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in spec.json()
    assert spec.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    legacy = await _ask(gateway, seller, query, None, variables=variables)
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert legacy.json()["data"] is None


async def test_an_answer_with_data_is_200_in_either_type(gateway: str, seller: Seller) -> None:
    for accept in (GRAPHQL_RESPONSE, "application/json", "*/*"):
        answer = await _ask(gateway, seller, "{ viewer { name } }", accept)
        assert answer.status_code == 200
        assert answer.json()["data"]["viewer"]["name"]
        expected = GRAPHQL_RESPONSE if accept == GRAPHQL_RESPONSE else "application/json"
        assert answer.headers["content-type"].startswith(expected)
    preferring_json = await _ask(gateway, seller, "{ viewer { nope } }", f"application/json, {GRAPHQL_RESPONSE};q=0.5")
    assert preferring_json.status_code == 200
    assert preferring_json.headers["content-type"].startswith("application/json")
