"""Webhooks: a producer's endpoints, the events each wants, and their deliveries.

An endpoint is created with the event types it wants (each within the key's scopes) and gets a secret, shown
once, that signs every delivery (`gateway/operations/webhooks.py`). In production an endpoint must be an
https URL of a public address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import secrets
import socket
from typing import TypeVar
from urllib.parse import urlsplit

import asyncpg

from loaders.events import EVENT_TYPES, EventByIdLoader
from loaders.webhooks import (
    WEBHOOK_DELIVERIES,
    WEBHOOK_SUBSCRIPTIONS,
    WebhookDeliveryRow,
    WebhookSubscriptionByIdLoader,
    WebhookSubscriptionRow,
    create_subscription,
    delete_subscription,
    redeliver,
)
from loaders.where import Filters
from loaders.writes import Outcome, Refused, UserErrorCode, refused
from resolvers.context import Context
from resolvers.events import scope_of
from resolvers.lists import ListPage, Window, list_page
from resolvers.mutations import Invalid, RowChange, audited_write
from resolvers.relations import Relation

R = TypeVar("R")

MAX_URL = 2048
MAX_TOPICS = 64

SUBSCRIPTION = Relation("WebhookSubscription", WebhookSubscriptionByIdLoader, "subscription_id")  # of a delivery
EVENT = Relation("Event", EventByIdLoader, "event_id", may_be_missing=True)  # of a delivery


async def webhook_subscriptions(context: Context, filters: Filters, window: Window) -> ListPage[WebhookSubscriptionRow]:
    """The producer's webhook endpoints, newest first (never their secrets). Scope: webhooks:read."""
    return await list_page(context, WEBHOOK_SUBSCRIPTIONS, filters, window, scope="webhooks:read")


async def webhook_deliveries(context: Context, filters: Filters, window: Window) -> ListPage[WebhookDeliveryRow]:
    """Deliveries of events to the producer's endpoints, newest first: whether and when each was acknowledged.
    Scope: webhooks:read."""
    return await list_page(context, WEBHOOK_DELIVERIES, filters, window, scope="webhooks:read")


def private_address(url: str) -> str | None:
    """Why `url` may not be posted to from production (it resolves to a loopback, private or reserved address,
    or not at all), or None."""
    host = urlsplit(url).hostname or ""
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)}
    except OSError as error:
        return f"{host} does not resolve ({error.strerror or error})"
    for address in sorted(addresses):
        parsed = ipaddress.ip_address(address.split("%")[0])
        if not parsed.is_global or parsed.is_multicast:
            return f"{host} is a private, loopback or reserved address ({address})"
    return None


async def _checked_url(url: str, production: bool) -> str:
    field = ("input", "url")
    parts = urlsplit(url.strip())
    allowed = ("https",) if production else ("https", "http")
    if len(url) > MAX_URL:
        raise Invalid(Refused(UserErrorCode.LIMIT_EXCEEDED, f"The URL may have at most {MAX_URL} characters", field))
    if parts.scheme not in allowed or not parts.hostname or parts.username or parts.password:
        scheme = "an https" if production else "an http or https"
        raise Invalid(Refused(UserErrorCode.INVALID_INPUT, f"The URL must be {scheme} URL with a host", field))
    if production:
        refused_address = await asyncio.to_thread(private_address, url)
        if refused_address is not None:
            raise Invalid(
                Refused(UserErrorCode.INVALID_INPUT, f"Webhooks go to public addresses: {refused_address}", field)
            )
    return url.strip()


def _checked_topics(context: Context, topics: list[str]) -> list[str]:
    field = ("input", "topics")
    chosen = list(dict.fromkeys(topic.strip() for topic in topics))
    if not chosen:
        raise Invalid(Refused(UserErrorCode.INVALID_INPUT, "Name at least one event type", field))
    if len(chosen) > MAX_TOPICS:
        raise Invalid(Refused(UserErrorCode.LIMIT_EXCEEDED, f"At most {MAX_TOPICS} event types", field))
    unknown = [topic for topic in chosen if topic not in EVENT_TYPES]
    if unknown:
        message = f"Unknown event type(s): {', '.join(unknown)}; known: {', '.join(EVENT_TYPES)}"
        raise Invalid(Refused(UserErrorCode.INVALID_INPUT, message[:1000], field))
    for topic in chosen:
        scope = scope_of(topic)
        if scope is not None and not context.principal.can(scope):
            message = f"`{topic}` events need the `{scope}` scope, which this API key lacks"
            raise Invalid(Refused(UserErrorCode.INVALID_INPUT, message, field))
    return chosen


async def create_webhook_subscription(
    context: Context, url: str, topics: list[str]
) -> tuple[Outcome[WebhookSubscriptionRow], str | None]:
    """A new endpoint for these event types; its secret, which is not shown again. Scope: webhooks:write."""
    secret = "whsec_" + secrets.token_hex(24)

    async def write(connection: asyncpg.Connection) -> Outcome[WebhookSubscriptionRow]:
        checked_topics = _checked_topics(context, topics)
        checked_url = await _checked_url(url, context.production)
        return Outcome(
            row=await create_subscription(connection, context.producer_id, checked_url, checked_topics, secret)
        )

    arguments = {"url": url, "topics": topics}
    outcome = await audited_write(
        context, "webhooks:write", "createWebhookSubscription", arguments, "WebhookSubscription", write
    )
    return outcome, secret if outcome.row is not None else None


DELETE_WEBHOOK_SUBSCRIPTION = RowChange("webhooks:write", "deleteWebhookSubscription", "WebhookSubscription")
REDELIVER_WEBHOOK = RowChange("webhooks:write", "redeliverWebhook", "WebhookDelivery")


def _found(row: R | None, what: str) -> Outcome[R]:
    """The changed row, or NOT_FOUND when the producer has no such row."""
    return Outcome(row=row) if row is not None else refused(UserErrorCode.NOT_FOUND, f"No such {what}", "id")


async def delete_webhook_subscription(context: Context, subscription_id: str) -> Outcome[WebhookSubscriptionRow]:
    """Delete an endpoint and its deliveries. Scope: webhooks:write."""

    async def write(connection: asyncpg.Connection, producer_id: int, pk: int) -> Outcome[WebhookSubscriptionRow]:
        return _found(await delete_subscription(connection, producer_id, pk), "webhook subscription")

    return await DELETE_WEBHOOK_SUBSCRIPTION.run(context, subscription_id, write)


async def redeliver_webhook(context: Context, delivery_id: str) -> Outcome[WebhookDeliveryRow]:
    """Post a delivery again as soon as a worker can, whatever became of it. Scope: webhooks:write."""

    async def write(connection: asyncpg.Connection, producer_id: int, pk: int) -> Outcome[WebhookDeliveryRow]:
        return _found(await redeliver(connection, producer_id, pk), "webhook delivery")

    return await REDELIVER_WEBHOOK.run(context, delivery_id, write)
