"""Webhooks: endpoints, their deliveries, the filter of the deliveries' list, and the mutations' payloads."""

from __future__ import annotations

import datetime

import strawberry

from loaders.webhooks import WebhookDeliveryRow, WebhookSubscriptionRow
from resolvers import webhooks as webhooks_resolvers
from schema.common import Node
from schema.enums import WebhookDeliveryStatus, WebhookSubscriptionStatus
from schema.events import Event
from schema.filters import ids_of
from schema.payloads import Payload, UserError
from schema.relations import relation
from schema.rows import FromRow, node_type


@node_type(WebhookSubscriptionRow)
@strawberry.type(
    description="An endpoint the producer's events are posted to, signed with its secret (shown once, when it was "
    "created). Scope: webhooks:read."
)
class WebhookSubscription(Node, FromRow):
    url: str
    topics: list[str] = strawberry.field(description="The event types posted to it (`sale.created`...).")
    status: WebhookSubscriptionStatus = strawberry.field(
        description="DISABLED after 100 failed deliveries in a row: its deliveries wait."
    )
    consecutive_failures: int
    disabled_reason: str | None
    created_at: datetime.datetime


@node_type(WebhookDeliveryRow)
@strawberry.type(
    description="One event posted to one endpoint: tried until acknowledged (a 2xx), with backoff, for 3 days. "
    "Scope: webhooks:read."
)
class WebhookDelivery(Node, FromRow):
    status: WebhookDeliveryStatus
    attempts: int
    next_attempt_at: datetime.datetime = strawberry.field(description="When it is tried next, while PENDING.")
    last_attempt_at: datetime.datetime | None
    last_response_code: int | None = strawberry.field(description="The HTTP status the endpoint last answered.")
    last_error: str | None
    delivered_at: datetime.datetime | None
    created_at: datetime.datetime
    row: strawberry.Private[WebhookDeliveryRow]

    webhook_subscription: WebhookSubscription = relation(webhooks_resolvers.SUBSCRIPTION)
    event: Event | None = relation(
        webhooks_resolvers.EVENT,
        lambda row, _: Event.from_row(row) if row is not None else None,
        description="The event posted; null once it is older than the events' retention.",
    )


@strawberry.input(description="Every condition given must hold.")
class WebhookSubscriptionFilter:
    status: list[WebhookSubscriptionStatus] | None = None


@strawberry.input(description="Every condition given must hold.")
class WebhookDeliveryFilter:
    status: list[WebhookDeliveryStatus] | None = None
    webhook_subscription_id: strawberry.ID | None = ids_of("WebhookSubscription")


@strawberry.input
class CreateWebhookSubscriptionInput:
    url: str = strawberry.field(description="Where to post: https (http only outside production).")
    topics: list[str] = strawberry.field(description="The event types to post, each within the key's scopes.")


@strawberry.type
class CreateWebhookSubscriptionPayload(Payload):
    webhook_subscription: WebhookSubscription | None
    secret: str | None = strawberry.field(
        description="The signing secret (`whsec_...`): keep it, it is not shown again."
    )
    user_errors: list[UserError]


@strawberry.type
class DeleteWebhookSubscriptionPayload(Payload):
    webhook_subscription: WebhookSubscription | None = strawberry.field(description="The endpoint as it was.")
    user_errors: list[UserError]


@strawberry.type
class RedeliverWebhookPayload(Payload):
    delivery: WebhookDelivery | None
    user_errors: list[UserError]
