"""What browsers and HTTP clients expect, against a real gateway: calls from pages on other origins (CORS),
compressed answers, and GET answers cached and revalidated.

The gateway allows one origin (`GATEWAY_CORS_ORIGINS`): a page served from another port of 127.0.0.1. A page
from a third port is not allowed. Headless Chromium loads each page, whose script calls the API with a key and
writes what it got into the page.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.factories.producers import Seller, make_seller
from tests.factories.sales import bulk_sales
from tests.processes import free_port, gateway_in_thread, serving_in_thread

pytestmark = pytest.mark.slow

PAGE = """<!doctype html><html><body><pre id="answer">waiting</pre><script>
fetch(GATEWAY + "/graphql", {
  method: "POST",
  headers: {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"},
  body: JSON.stringify({query: "{ viewer { name } }"}),
}).then(async (response) => {
  const answer = await response.json();
  document.getElementById("answer").textContent =
    JSON.stringify({status: response.status, requestId: response.headers.get("x-request-id"), answer});
}).catch((error) => { document.getElementById("answer").textContent = "refused: " + error; });
</script></body></html>"""


def page_app(gateway: str, key: str) -> Starlette:
    """A front end on its own origin: one page calling the gateway."""

    async def page(request: Request) -> HTMLResponse:
        constants = f"<script>const GATEWAY = {json.dumps(gateway)}; const KEY = {json.dumps(key)};</script>"
        return HTMLResponse(constants + PAGE)

    return Starlette(routes=[Route("/", page)])


@pytest.fixture(scope="module")
def allowed_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def gateway(database_url: str, allowed_port: int) -> Iterator[str]:
    origin = f"http://127.0.0.1:{allowed_port}"
    with gateway_in_thread(database_url, "cors-test-gateway", GATEWAY_CORS_ORIGINS=origin) as url:
        yield url


@pytest.fixture
async def seller(connection: asyncpg.Connection) -> Seller:
    return await make_seller(connection)


@pytest.fixture
async def http(gateway: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        yield client


def _preflight(origin: str) -> dict[str, str]:
    return {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }


async def test_a_preflight_from_an_allowed_origin_is_answered(http: httpx.AsyncClient, allowed_port: int) -> None:
    origin = f"http://127.0.0.1:{allowed_port}"
    response = await http.options("/graphql", headers=_preflight(origin))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == origin
    assert {"authorization", "content-type"} <= set(response.headers["access-control-allow-headers"].split(", "))
    assert "POST" in response.headers["access-control-allow-methods"]
    assert response.headers["access-control-max-age"] == "600"
    assert "Origin" in response.headers["vary"]


async def test_a_preflight_from_another_origin_gets_no_allow_origin(http: httpx.AsyncClient) -> None:
    response = await http.options("/graphql", headers=_preflight("https://elsewhere.example"))
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_an_answer_to_an_allowed_origin_names_it_and_exposes_the_request_id(
    http: httpx.AsyncClient, allowed_port: int, seller: Seller
) -> None:
    origin = f"http://127.0.0.1:{allowed_port}"
    headers = {"origin": origin, "authorization": f"Bearer {seller.key}"}
    allowed = await http.post("/graphql", json={"query": "{ viewer { name } }"}, headers=headers)
    assert allowed.headers["access-control-allow-origin"] == origin
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].split(", ")
    other = await http.post(
        "/graphql", json={"query": "{ viewer { name } }"}, headers=headers | {"origin": "https://elsewhere.example"}
    )
    assert other.status_code == 200  # answered (a server-side client sends any origin it likes)...
    assert "access-control-allow-origin" not in other.headers  # ...but a browser would not let the page read it


async def test_a_browser_page_on_an_allowed_origin_reads_the_answer_and_another_cannot(
    browser: object, gateway: str, allowed_port: int, seller: Seller
) -> None:
    front_end = page_app(gateway, seller.key)
    results = {}
    with (
        serving_in_thread(front_end, "allowed-front-end", port=allowed_port) as allowed_url,
        serving_in_thread(front_end, "other-front-end") as other_url,
    ):
        context = await browser.new_context()  # type: ignore[attr-defined]
        try:
            for name, url in (("allowed", allowed_url), ("other", other_url)):
                page = await context.new_page()
                await page.goto(url + "/")
                await page.wait_for_function("document.getElementById('answer').textContent !== 'waiting'")
                results[name] = await page.text_content("#answer")
        finally:
            await context.close()
    answer = json.loads(results["allowed"])
    assert answer["status"] == 200
    assert answer["answer"]["data"]["viewer"]["name"].startswith("Seller")
    assert answer["requestId"]  # an exposed header
    assert results["other"].startswith("refused: TypeError")


async def test_a_large_answer_is_gzipped_when_the_client_accepts_it(
    http: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    await bulk_sales(connection, seller, 100, base=datetime(2026, 11, 1, tzinfo=UTC))
    query = "{ sales(first: 100) { edges { cursor node { id transactionCode status createdAt grossAmount { amount currency } } } } }"
    headers = {"authorization": f"Bearer {seller.key}"}
    raw = await http.post("/graphql", json={"query": query}, headers=headers | {"accept-encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(raw.content) > 20_000
    request = http.build_request(
        "POST", "/graphql", json={"query": query}, headers=headers | {"accept-encoding": "gzip"}
    )
    compressed = await http.send(request, stream=True)
    try:
        assert compressed.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in compressed.headers["vary"]
        body = b"".join([chunk async for chunk in compressed.aiter_raw()])
    finally:
        await compressed.aclose()
    print(f"\n{len(raw.content)} bytes, {len(body)} gzip-compressed")
    assert len(body) < len(raw.content) / 4
    assert gzip.decompress(body) == raw.content


async def test_a_repeated_get_with_the_tag_gets_304_and_a_changed_answer_a_new_tag(
    http: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    headers = {"authorization": f"Bearer {seller.key}"}
    params = {"query": "{ viewer { name } }"}
    first = await http.get("/graphql", params=params, headers=headers)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert tag.startswith('W/"')
    assert first.headers["cache-control"] == "private, no-cache"
    assert "Authorization" in first.headers["vary"]
    again = await http.get("/graphql", params=params, headers=headers | {"if-none-match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    await connection.execute("update producers set name = name || ' (renamed)' where id = $1", seller.id)
    changed = await http.get("/graphql", params=params, headers=headers | {"if-none-match": tag})
    assert changed.status_code == 200
    assert changed.json()["data"]["viewer"]["name"].endswith("(renamed)")
    assert changed.headers["etag"] != tag
    posted = await http.post("/graphql", json=params, headers=headers)
    assert "etag" not in posted.headers  # a POST is not cached
