"""Posting GraphQL to the test app."""

from __future__ import annotations

from typing import Any

import httpx


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
