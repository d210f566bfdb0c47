"""Webhook endpoints of a producer and their deliveries (migration 0011), and the delivery worker's side.

A delivery is written with its event, in the same transaction, for every active endpoint of the producer
that wants that type of event; the worker claims the due ones (`FOR UPDATE SKIP LOCKED`: one worker at a
time per delivery), posts them, and records what the endpoint answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from loaders.batching import column_list, rows_by_id
from loaders.keyset import KeysetList
from loaders.where import any_of, equals


@dataclass(slots=True)
class WebhookSubscriptionRow:
    id: int
    url: str
    topics: list[str]
    status: str
    consecutive_failures: int
    disabled_reason: str | None
    created_at: datetime


@dataclass(slots=True)
class WebhookDeliveryRow:
    id: int
    subscription_id: int
    event_id: int
    status: str
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_response_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


SUBSCRIPTION_COLUMNS = column_list(WebhookSubscriptionRow)
DELIVERY_COLUMNS = column_list(WebhookDeliveryRow)

WEBHOOK_SUBSCRIPTIONS = KeysetList(
    "webhook_subscriptions",
    WebhookSubscriptionRow,
    "webhook_subscriptions ws",
    ("CREATED_AT:DESC",),
    (any_of("status", "ws.status"),),
)
WEBHOOK_DELIVERIES = KeysetList(
    "webhook_deliveries",
    WebhookDeliveryRow,
    "webhook_deliveries wd",
    ("CREATED_AT:DESC",),
    (any_of("status", "wd.status"), equals("webhook_subscription_id", "wd.subscription_id")),
)

WebhookSubscriptionByIdLoader = rows_by_id("webhook_subscriptions", WebhookSubscriptionRow)
WebhookDeliveryByIdLoader = rows_by_id("webhook_deliveries", WebhookDeliveryRow)


async def create_subscription(
    connection: asyncpg.Connection, producer_id: int, url: str, topics: Sequence[str], secret: str
) -> WebhookSubscriptionRow:
    row = await connection.fetchrow(
        f"insert into webhook_subscriptions (producer_id, url, topics, secret) values ($1, $2, $3, $4)"
        f" returning {SUBSCRIPTION_COLUMNS}",
        producer_id,
        url,
        list(topics),
        secret,
    )
    assert row is not None  # an insert returns its row
    return WebhookSubscriptionRow(*row)


async def delete_subscription(
    connection: asyncpg.Connection, producer_id: int, subscription_id: int
) -> WebhookSubscriptionRow | None:
    """Delete an endpoint and its deliveries; None when the producer has no such endpoint."""
    row = await connection.fetchrow(
        f"delete from webhook_subscriptions where producer_id = $1 and id = $2 returning {SUBSCRIPTION_COLUMNS}",
        producer_id,
        subscription_id,
    )
    return WebhookSubscriptionRow(*row) if row is not None else None


async def redeliver(connection: asyncpg.Connection, producer_id: int, delivery_id: int) -> WebhookDeliveryRow | None:
    """Post a delivery again now, whatever became of it; None when the producer has no such delivery."""
    row = await connection.fetchrow(
        f"update webhook_deliveries set status = 'PENDING', next_attempt_at = now()"
        f" where producer_id = $1 and id = $2 returning {DELIVERY_COLUMNS}",
        producer_id,
        delivery_id,
    )
    return WebhookDeliveryRow(*row) if row is not None else None


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A delivery a worker claimed: where to post which event, signed with which secret."""

    delivery_id: int
    producer_id: int
    url: str
    secret: str
    attempts: int
    created_at: datetime
    event_id: int
    event_type: str
    object_type: str
    object_pk: int
    occurred_at: datetime
    payload: str  # JSON text


async def claim_due(connection: asyncpg.Connection, how_many: int) -> list[DueDelivery]:
    """Due deliveries of every producer, locked for this transaction (others skip them)."""
    rows = await connection.fetch("select * from claim_webhook_deliveries($1)", how_many)
    return [DueDelivery(*row) for row in rows]


async def record_attempt(
    connection: asyncpg.Connection,
    delivery_id: int,
    *,
    response_code: int | None,
    error: str | None,
    delivered: bool,
    retry_at: datetime | None,
    disable_after: int,
) -> None:
    await connection.execute(
        "select record_webhook_attempt($1, $2, $3, $4, $5, $6)",
        delivery_id,
        response_code,
        error,
        delivered,
        retry_at,
        disable_after,
    )
