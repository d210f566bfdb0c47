"""Running the gateway in the test process and posting GraphQL to it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
from starlette.applications import Starlette

from gateway.http.app import create_app
from gateway.operations.database import SERVING_ROLE, url_with
from tests.settings import gateway_settings


@contextlib.asynccontextmanager
async def running_gateway(
    database_url: str, environ: dict[str, str] | None = None, request_timeout_s: float = 60
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """The app over `database_url` as the serving role, its lifespan (pool) running, and a client of it."""
    application = create_app(gateway_settings(environ), url_with(database_url, user=SERVING_ROLE))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gateway.test", timeout=request_timeout_s
        ) as client:
            yield application, client


async def post(
    client: httpx.AsyncClient, key: str | None, query: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


async def data_of(
    client: httpx.AsyncClient, key: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The `data` of a query that must succeed."""
    response = await post(client, key, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data
