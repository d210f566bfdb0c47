"""Queries named by their SHA-256: Apollo's automatic persisted queries (POST and GET, in one process and shared
through a real Redis), and trusted documents."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.http.persisted import TrustedDocuments
from gateway.operations.settings import SettingsError
from tests.factories.producers import Seller, make_seller
from tests.graphql import running_gateway

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def sha256(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()


def persisted(query_hash: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": query_hash}}


def unique_query() -> str:
    """A query no store has seen: its hash is new."""
    return f"query Name{uuid.uuid4().hex} {{ viewer {{ name }} }}"


@pytest.fixture
async def seller(connection: asyncpg.Connection) -> Seller:
    return await make_seller(connection)


def _headers(seller: Seller) -> dict[str, str]:
    return {"authorization": f"Bearer {seller.key}"}


async def _post(client: httpx.AsyncClient, seller: Seller, body: dict[str, Any]) -> httpx.Response:
    return await client.post("/graphql", json=body, headers=_headers(seller))


async def _get(client: httpx.AsyncClient, seller: Seller, extensions: dict[str, Any], **params: str) -> httpx.Response:
    return await client.get(
        "/graphql", params={"extensions": json.dumps(extensions), **params}, headers=_headers(seller)
    )


def _named(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    name: str = body["data"]["viewer"]["name"]
    return name


def _refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    errors = response.json()["errors"]
    assert [error["extensions"]["code"] for error in errors] == [code]
    message: str = errors[0]["message"]
    return message


async def test_apollos_protocol_over_post_and_get(database_url: str, seller: Seller) -> None:
    query = unique_query()
    async with running_gateway(database_url) as (_, client):
        unknown = await _post(client, seller, {"extensions": persisted(sha256(query))})
        assert _refused(unknown, 200, "PERSISTED_QUERY_NOT_FOUND") == "PersistedQueryNotFound"
        learned = await _post(client, seller, {"query": query, "extensions": persisted(sha256(query))})
        assert _named(learned).startswith("Seller")
        by_hash = await _post(client, seller, {"extensions": persisted(sha256(query))})
        assert _named(by_hash) == _named(learned)
        by_get = await _get(client, seller, persisted(sha256(query)), variables="{}")
        assert _named(by_get) == _named(learned)
        assert by_get.headers["etag"]

        other = unique_query()
        unknown_get = await _get(client, seller, persisted(sha256(other)))
        assert _refused(unknown_get, 200, "PERSISTED_QUERY_NOT_FOUND") == "PersistedQueryNotFound"
        learned_get = await _get(client, seller, persisted(sha256(other)), query=other)
        assert _named(learned_get) == _named(learned)


async def test_a_hash_that_is_not_the_querys_is_refused_and_not_learned(database_url: str, seller: Seller) -> None:
    query, wrong = unique_query(), sha256(unique_query())
    async with running_gateway(database_url) as (_, client):
        mismatch = await _post(client, seller, {"query": query, "extensions": persisted(wrong)})
        assert "not the SHA-256 of the query" in _refused(mismatch, 400, "BAD_USER_INPUT")
        still_unknown = await _post(client, seller, {"extensions": persisted(wrong)})
        _refused(still_unknown, 200, "PERSISTED_QUERY_NOT_FOUND")


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        ("[1]", "`extensions` must be a JSON object"),
        ('{"persistedQuery": {"version": 2, "sha256Hash": "' + "a" * 64 + '"}}', "persistedQuery` must be"),
        ('{"persistedQuery": {"version": 1, "sha256Hash": "ABC"}}', "64 lowercase hexadecimal digits"),
        ("{not json", "`extensions` must be a JSON object"),
    ],
)
async def test_a_bad_extensions_parameter_is_a_400(
    database_url: str, seller: Seller, extensions: str, message: str
) -> None:
    async with running_gateway(database_url) as (_, client):
        response = await client.get(
            "/graphql", params={"query": "{ viewer { name } }", "extensions": extensions}, headers=_headers(seller)
        )
        assert message in _refused(response, 400, "BAD_USER_INPUT")


async def test_a_query_learned_by_one_process_is_known_to_another_through_redis(
    database_url: str, seller: Seller
) -> None:
    query = unique_query()
    environ = {"REDIS_URL": REDIS_URL}
    async with (
        running_gateway(database_url, environ) as (_, first),
        running_gateway(database_url, environ) as (
            _,
            second,
        ),
    ):
        _refused(
            await _post(second, seller, {"extensions": persisted(sha256(query))}), 200, "PERSISTED_QUERY_NOT_FOUND"
        )
        assert _named(await _post(first, seller, {"query": query, "extensions": persisted(sha256(query))}))
        assert _named(await _post(second, seller, {"extensions": persisted(sha256(query))}))


async def test_without_redis_a_process_keeps_what_it_learned_and_says_so(
    database_url: str, seller: Seller, caplog: pytest.LogCaptureFixture
) -> None:
    query = unique_query()
    async with running_gateway(database_url, {"REDIS_URL": "redis://127.0.0.1:1/0"}) as (_, client):
        assert _named(await _post(client, seller, {"query": query, "extensions": persisted(sha256(query))}))
        assert _named(await _post(client, seller, {"extensions": persisted(sha256(query))}))
    assert "Redis does not answer" in caplog.text


async def test_with_trusted_documents_only_those_run(database_url: str, seller: Seller, tmp_path: Path) -> None:
    trusted = "query Trusted { viewer { name } }"
    manifest = tmp_path / "trusted-documents.json"
    manifest.write_text(json.dumps({sha256(trusted): trusted}))
    async with running_gateway(database_url, {"GATEWAY_TRUSTED_DOCUMENTS": str(manifest)}) as (_, client):
        assert _named(await _post(client, seller, {"extensions": persisted(sha256(trusted))}))
        assert _named(await _post(client, seller, {"query": trusted}))
        other = unique_query()
        for body in ({"query": other}, {"query": other, "extensions": persisted(sha256(other))}):
            _refused(await _post(client, seller, body), 400, "PERSISTED_QUERY_NOT_ALLOWED")
        _refused(
            await _post(client, seller, {"extensions": persisted(sha256(other))}), 400, "PERSISTED_QUERY_NOT_ALLOWED"
        )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not a readable JSON file"),
        ("[]", "must hold a JSON object"),
        (json.dumps({"0" * 64: "{ viewer { name } }"}), "is not the SHA-256 of its query"),
    ],
)
def test_a_bad_trusted_documents_file_is_a_settings_error_naming_it(tmp_path: Path, content: str, message: str) -> None:
    manifest = tmp_path / "trusted.json"
    manifest.write_text(content)
    with pytest.raises(SettingsError, match=message) as raised:
        TrustedDocuments.load(manifest)
    assert "GATEWAY_TRUSTED_DOCUMENTS" in str(raised.value)
