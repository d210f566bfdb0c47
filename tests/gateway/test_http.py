"""The HTTP surface: what a malformed request gets, health checks, request ids, masked errors."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.factories.producers import Seller, make_seller


@pytest.fixture
async def seller(connection: asyncpg.Connection) -> Seller:
    return await make_seller(connection)


def _auth(seller: Seller) -> dict[str, str]:
    return {"authorization": f"Bearer {seller.key}"}


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"{not json", "application/json", "not valid JSON"),
        (b"", "application/json", "empty"),
        (b"   ", "application/json", "empty"),
        (b'"just a string"', "application/json", "JSON object"),
        (b"[]", "application/json", "Batched"),
        (b'[{"query": "{ viewer { id } }"}]', "application/json", "Batched"),
        (b'{"query": 42}', "application/json", "non-empty string"),
        (b'{"query": ""}', "application/json", "non-empty string"),
        (b'{"query": "{ viewer { id } }", "variables": [1]}', "application/json", "JSON object"),
        (b'{"query": "{ viewer { id } }", "variables": "{bad"}', "application/json", "not valid JSON"),
        (b'{"query": "{ viewer { id } }", "operationName": 3}', "application/json", "operationName"),
        (b'{"query": "{ viewer { id } }"}', "text/plain", "Content-Type"),
        (b"query=%7Bviewer%7Bid%7D%7D", "application/x-www-form-urlencoded", "Content-Type"),
    ],
)
async def test_malformed_requests_are_400(
    client: httpx.AsyncClient, seller: Seller, body: bytes, content_type: str, message: str
) -> None:
    response = await client.post("/graphql", content=body, headers={**_auth(seller), "content-type": content_type})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert message in error["message"]


async def test_graphql_errors_keep_http_200_with_a_code(client: httpx.AsyncClient, seller: Seller) -> None:
    response = await client.post("/graphql", json={"query": "{ viewer { noSuchField } }"}, headers=_auth(seller))
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "noSuchField" in body["errors"][0]["message"]


async def test_syntax_error_is_bad_user_input(client: httpx.AsyncClient, seller: Seller) -> None:
    response = await client.post("/graphql", json={"query": "{ viewer { "}, headers=_auth(seller))
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_unknown_operation_name_is_400(client: httpx.AsyncClient, seller: Seller) -> None:
    response = await client.post(
        "/graphql", json={"query": "query A { viewer { id } }", "operationName": "B"}, headers=_auth(seller)
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_get_runs_queries(client: httpx.AsyncClient, seller: Seller) -> None:
    response = await client.get("/graphql", params={"query": "{ viewer { name } }"}, headers=_auth(seller))
    assert response.status_code == 200
    assert response.json()["data"]["viewer"]["name"].startswith("Seller")


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient, seller: Seller) -> None:
    query = {"query": "{ viewer { id } }"}
    given = await client.post("/graphql", json=query, headers={**_auth(seller), "x-request-id": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await client.post("/graphql", json=query, headers={**_auth(seller), "x-request-id": "bad id;<script>"})
    assert len(made.headers["x-request-id"]) == 32


async def test_unexpected_errors_are_masked(
    client: httpx.AsyncClient, seller: Seller, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from resolvers import producers as viewer_module

    async def explode(context: object) -> None:
        raise RuntimeError("secret internal detail: password=hunter2")

    monkeypatch.setattr(viewer_module, "viewer", explode)
    response = await client.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers={**_auth(seller), "x-request-id": "req-42"}
    )
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error == {
        "message": "Internal server error",
        "locations": [{"line": 1, "column": 3}],
        "path": ["viewer"],
        "extensions": {"code": "INTERNAL"},
    }
    assert "hunter2" not in response.text
    logged = [record for record in caplog.records if record.name == "gateway.http.errors"]
    assert logged
    assert "req-42" in logged[0].getMessage()


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_graphiql_page_in_development(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
