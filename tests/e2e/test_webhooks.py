"""Signed webhooks: endpoints created, listed, deleted; every event delivered to a real receiver on 127.0.0.1
that checks each signature, through a failing endpoint that recovers and a worker killed mid-delivery."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.operations.database import SERVING_ROLE, url_with
from loaders.api_keys import create_key
from resolvers.ids import to_global_id
from tests.factories.producers import make_seller
from tests.factories.sales import make_sale
from tests.graphql import data_of
from tests.processes import SALES_GATEWAY, serve_environment, serving_in_thread

CREATE = """
mutation ($url: String!, $topics: [String!]!) {
  createWebhookSubscription(input: {url: $url, topics: $topics}) {
    webhookSubscription { id url topics status } secret userErrors { field message code }
  }
}
"""
SIGNED = 300  # seconds a signature's timestamp may be off


@dataclass
class Receiver:
    """An endpoint on 127.0.0.1 that checks every signature, as a partner's server should."""

    secret: str = ""
    mode: str = "ok"  # ok: 200; fail: 503; slow: 200 after 3 s
    received: list[str] = field(default_factory=list)  # event ids, in the order they came
    acknowledged: list[str] = field(default_factory=list)
    bad_signatures: int = 0
    in_flight: asyncio.Event | None = None

    async def hook(self, request: Request) -> Response:
        body = await request.body()
        header = request.headers.get("sales-gateway-signature", "")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        expected = hmac.new(self.secret.encode(), parts.get("t", "").encode() + b"." + body, hashlib.sha256)
        fresh = parts.get("t", "").isdigit() and abs(time.time() - int(parts["t"])) < SIGNED
        if not (fresh and hmac.compare_digest(expected.hexdigest(), parts.get("v1", ""))):
            self.bad_signatures += 1
            return Response(status_code=400)
        event_id = request.headers["sales-gateway-event-id"]
        self.received.append(event_id)
        if self.mode == "fail":
            return Response(status_code=503)
        if self.mode == "slow":
            await asyncio.sleep(3)
        self.acknowledged.append(event_id)
        return Response(status_code=200)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    hooks = Receiver()
    app = Starlette(routes=[Route("/hook", hooks.hook, methods=["POST"])])
    with serving_in_thread(app, "webhook-receiver") as url:
        yield hooks, f"{url}/hook"


def start_worker(database_url: str) -> subprocess.Popen[bytes]:
    environment = serve_environment(
        DATABASE_URL=url_with(database_url, user=SERVING_ROLE),
        DATABASE_OWNER_URL=database_url,
        GATEWAY_WEBHOOK_RETRY_BASE_S="0.2",
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen([SALES_GATEWAY, "worker"], env=environment)


async def wait_until(check: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.1)


async def test_endpoints_are_created_listed_and_deleted_within_the_keys_scopes(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    made = (await data_of(client, seller.key, CREATE, {"url": "https://example.com/hook", "topics": ["sale.created"]}))[
        "createWebhookSubscription"
    ]
    assert made["userErrors"] == []
    assert made["secret"].startswith("whsec_")
    assert made["webhookSubscription"]["topics"] == ["sale.created"]
    listed = await data_of(client, seller.key, "{ webhookSubscriptions { nodes { id url status } } }")
    assert listed["webhookSubscriptions"]["nodes"] == [
        {"id": made["webhookSubscription"]["id"], "url": "https://example.com/hook", "status": "ACTIVE"}
    ]
    for url, topics, words in (
        ("ftp://example.com", ["sale.created"], "http or https URL"),
        ("https://example.com/hook", ["sale.deleted"], "Unknown event type"),
        ("https://example.com/hook", [], "at least one event type"),
    ):
        refused = (await data_of(client, seller.key, CREATE, {"url": url, "topics": topics}))[
            "createWebhookSubscription"
        ]
        assert refused["webhookSubscription"] is None
        assert refused["secret"] is None
        assert refused["userErrors"][0]["code"] == "INVALID_INPUT"
        assert words in refused["userErrors"][0]["message"]
    narrow = await create_key(connection, seller.id, scopes=["sales:read", "webhooks:write"])
    refused = (
        await data_of(client, narrow.secret, CREATE, {"url": "https://example.com/h", "topics": ["refund.approved"]})
    )["createWebhookSubscription"]
    assert "refunds:read" in refused["userErrors"][0]["message"]
    reader = await create_key(connection, seller.id, scopes=["sales:read"])
    body = (
        await client.post(
            "/graphql",
            json={"query": CREATE, "variables": {"url": "https://e.com", "topics": ["sale.created"]}},
            headers={"authorization": f"Bearer {reader.secret}"},
        )
    ).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    delete = (
        "mutation ($id: ID!) { deleteWebhookSubscription(id: $id) { webhookSubscription { url } userErrors { code } } }"
    )
    deleted = await data_of(client, seller.key, delete, {"id": made["webhookSubscription"]["id"]})
    assert deleted["deleteWebhookSubscription"]["webhookSubscription"]["url"] == "https://example.com/hook"
    again = await data_of(client, seller.key, delete, {"id": made["webhookSubscription"]["id"]})
    assert again["deleteWebhookSubscription"]["userErrors"] == [{"code": "NOT_FOUND"}]


async def test_every_event_is_delivered_signed_through_failures_and_a_killed_worker(
    client: httpx.AsyncClient,
    connection: asyncpg.Connection,
    database_url: str,
    receiver: tuple[Receiver, str],
) -> None:
    hooks, url = receiver
    seller = await make_seller(connection)
    made = (await data_of(client, seller.key, CREATE, {"url": url, "topics": ["sale.created"]}))[
        "createWebhookSubscription"
    ]
    hooks.secret, hooks.mode = made["secret"], "fail"
    sales = [await make_sale(connection, seller, created_at=datetime(2026, 11, 1, tzinfo=UTC)) for _ in range(10)]
    worker = start_worker(database_url)
    try:
        await wait_until(lambda: _at_least(hooks.received, 20))  # each tried twice, refused
        hooks.mode = "ok"  # the endpoint recovers
        await wait_until(lambda: _at_least(hooks.acknowledged, 10))
        hooks.mode = "slow"
        sales += [await make_sale(connection, seller, created_at=datetime(2026, 11, 2, tzinfo=UTC)) for _ in range(5)]
        before = len(hooks.received)
        await wait_until(lambda: _at_least(hooks.received, before + 1), 30)
        worker.send_signal(signal.SIGKILL)  # mid-delivery: the endpoint has not answered yet
        worker.wait(timeout=10)
        hooks.mode = "ok"
        worker = start_worker(database_url)
        statuses = "select status, count(*) from webhook_deliveries where producer_id = $1 group by status"

        async def all_delivered() -> bool:
            counts = dict(await connection.fetch(statuses, seller.id))
            return counts == {"DELIVERED": 15}

        await wait_until(all_delivered, 60)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    events = await connection.fetch(
        "select id from events where producer_id = $1 and type = 'sale.created' order by id", seller.id
    )
    ids = [to_global_id("Event", row["id"]) for row in events]
    assert len(ids) == 15
    assert set(hooks.received) == set(ids)  # every event, at least once
    assert hooks.bad_signatures == 0
    rows = await connection.fetch(
        "select attempts, delivered_at, last_response_code from webhook_deliveries where producer_id = $1", seller.id
    )
    assert all(row["delivered_at"] is not None and row["last_response_code"] == 200 for row in rows)
    assert sum(row["attempts"] for row in rows) >= 15 + 20  # the refused attempts are counted
    listed = await data_of(
        client,
        seller.key,
        "{ webhookDeliveries(first: 100) { nodes { status attempts lastResponseCode event { id type } } } }",
    )
    nodes = listed["webhookDeliveries"]["nodes"]
    assert sorted(node["event"]["id"] for node in nodes) == sorted(ids)
    assert {node["status"] for node in nodes} == {"DELIVERED"}


async def _at_least(items: list[str], count: int) -> bool:
    return len(items) >= count
