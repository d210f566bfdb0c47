"""The webhook delivery worker: posts each event to the endpoints that want it, signed, until acknowledged.

`sales-gateway worker` runs it (any number of them, on any machine: each delivery is claimed by one worker at
a time, `FOR UPDATE SKIP LOCKED`, and stays claimed until what the endpoint answered is recorded); `serve`
runs one in its process on the embedded default (`GATEWAY_WEBHOOK_WORKER`).

A delivery is a POST of the event as JSON with `Sales-Gateway-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of
"<t>.<body>" keyed by the endpoint's secret>` (Stripe's scheme), `Sales-Gateway-Event-Id` (the same on every
retry: endpoints use it to ignore repeats) and `Sales-Gateway-Delivery-Attempt`. A 2xx acknowledges it;
anything else (or no answer in 10 s) is tried again after 30 s, 1 min, 2 min... (doubling, at most 2 h apart)
for 3 days, then given up; an endpoint that fails 100 times in a row is disabled.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

import asyncpg
import httpx
import orjson

from gateway.operations.settings import Settings
from loaders.webhooks import DueDelivery, claim_due, record_attempt
from resolvers.ids import to_global_id
from resolvers.webhooks import private_address

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "Sales-Gateway-Signature"
BATCH = 20
POST_TIMEOUT_S = 10.0
IDLE_S = 1.0
MAX_DELAY = timedelta(hours=2)
RETRY_FOR = timedelta(days=3)
DISABLE_AFTER = 100
KEEP_ERROR = 500  # characters of an error kept


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`."""
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_body(delivery: DueDelivery) -> bytes:
    """The event as the API shows it (`Event`): its id, type, time, object and payload."""
    return orjson.dumps(
        {
            "id": to_global_id("Event", delivery.event_id),
            "type": delivery.event_type,
            "occurredAt": delivery.occurred_at.isoformat(),
            "objectType": delivery.object_type,
            "objectId": to_global_id(delivery.object_type, delivery.object_pk),
            "payload": orjson.loads(delivery.payload),
        }
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """What an endpoint answered to one delivery."""

    response_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300


async def post(http: httpx.AsyncClient, delivery: DueDelivery, *, production: bool) -> Answer:
    if production:
        refused = await asyncio.to_thread(private_address, delivery.url)
        if refused is not None:
            return Answer(None, f"not posted: {refused}")
    body = event_body(delivery)
    headers = {
        "content-type": "application/json",
        "user-agent": "sales-gateway-webhooks/1",
        SIGNATURE_HEADER: signature(delivery.secret, int(time.time()), body),
        "sales-gateway-event-id": to_global_id("Event", delivery.event_id),
        "sales-gateway-event-type": delivery.event_type,
        "sales-gateway-delivery-attempt": str(delivery.attempts + 1),
    }
    try:
        response = await http.post(delivery.url, content=body, headers=headers)
    except httpx.HTTPError as failure:
        return Answer(None, f"{type(failure).__name__}: {failure}"[:KEEP_ERROR])
    problem = None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Answer(response.status_code, problem)


def retry_at(delivery: DueDelivery, now: datetime, base: timedelta) -> datetime | None:
    """When to try again after a failed attempt (doubling, at most MAX_DELAY apart), or None: given up."""
    if now - delivery.created_at > RETRY_FOR:
        return None
    wait: timedelta = min(base * 2**delivery.attempts, MAX_DELAY)
    return now + wait


async def deliver_due(pool: asyncpg.Pool, http: httpx.AsyncClient, settings: Settings) -> int:
    """Claim the due deliveries (a batch), post them side by side and record the answers, in one transaction:
    a worker stopped midway leaves them to be posted again. How many were posted."""
    async with pool.acquire() as proxy, proxy.transaction():
        connection = cast(asyncpg.Connection, proxy)  # the pool's proxy behaves as the connection
        due = await claim_due(connection, BATCH)
        if not due:
            return 0
        answers = await asyncio.gather(*(post(http, delivery, production=settings.production) for delivery in due))
        now = datetime.now(UTC)
        base = timedelta(seconds=settings.webhook_retry_base_s)
        for delivery, answer in zip(due, answers, strict=True):
            await record_attempt(
                connection,
                delivery.delivery_id,
                response_code=answer.response_code,
                error=answer.error,
                delivered=answer.delivered,
                retry_at=None if answer.delivered else retry_at(delivery, now, base),
                disable_after=DISABLE_AFTER,
            )
        return len(due)


async def run_worker(pool: asyncpg.Pool, settings: Settings, stop: asyncio.Event) -> None:
    """Deliver until `stop` is set; a database that does not answer is tried again a moment later."""
    async with httpx.AsyncClient(timeout=POST_TIMEOUT_S, follow_redirects=False) as http:
        while not stop.is_set():
            try:
                posted = await deliver_due(pool, http, settings)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("webhooks: the database did not answer (%s); trying again", error)
                posted = 0
            if not posted:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), IDLE_S)
