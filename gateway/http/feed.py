"""The live feed over WebSocket: graphql-transport-ws at /graphql, served by Strawberry, fed by PostgreSQL.

Each process keeps one connection listening for the database's notifications (`LISTEN sales_gateway_events`,
sent by the triggers that write the outbox, migration 0010) and wakes the followers of the producer named;
followers read the outbox themselves (`resolvers/feed.py`), so a notification lost while the listening
connection was down costs nothing: when it comes back every follower reads again, and every follower reads
again after a second of silence anyway. Any number of processes and replicas each see every event.

A connection authenticates in its `connection_init` payload (`{"Authorization": "Bearer <key>"}`); a missing,
unknown or revoked key closes it with 4403. Errors carry the same `extensions.code` as over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import asyncpg
from graphql import GraphQLError
from starlette.websockets import WebSocket, WebSocketState
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.extensions import MaskErrors
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from gateway.http.context import build_context
from gateway.http.errors import format_error
from gateway.http.throttling import limits_of
from loaders.api_keys import Principal, find_principal, hash_key, key_check_sql, looks_like_key
from resolvers.context import Context
from schema import GatewaySchema, build_schema

log = logging.getLogger(__name__)

CHANNEL = "sales_gateway_events"
RECONNECT_S = 1.0
CONNECTION_INIT_WAIT = timedelta(seconds=10)
MAX_FEEDS_PER_CONNECTION = 10  # operations one WebSocket runs at once


class ChangeListener:
    """One listening connection per process; wakes the followers of the producers the database names."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._waiting: dict[int, set[asyncio.Future[None]]] = {}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_for_changes(self, producer_id: int, at_most_s: float) -> None:
        """Until the producer's data may have changed, or `at_most_s` seconds."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters = self._waiting.setdefault(producer_id, set())
        waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, at_most_s)
        except TimeoutError:
            pass
        finally:
            waiters.discard(waiter)
            if not waiters:
                self._waiting.pop(producer_id, None)

    def _wake(self, producer_ids: Iterable[int]) -> None:
        for producer_id in list(producer_ids):
            for waiter in self._waiting.get(producer_id, ()):
                if not waiter.done():
                    waiter.set_result(None)

    def _notified(self, connection: Any, pid: int, channel: str, payload: object) -> None:
        with contextlib.suppress(ValueError):
            self._wake([int(str(payload))])

    async def _listen(self) -> None:
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(self._dsn)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._notified)
                self._wake(self._waiting)  # whatever happened while not listening is in the outbox
                await lost.wait()
                log.warning("live feed: the listening connection was lost; listening again")
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("live feed: cannot listen to the database (%s); trying again", error)
            finally:
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await connection.close(timeout=1)
            self._wake(self._waiting)
            await asyncio.sleep(RECONNECT_S)


class FeedErrors(MaskErrors):
    """The feed's errors as HTTP answers have them: known codes in `extensions.code`, anything else masked."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        coded = []
        for error in errors:
            formatted = format_error(error, "live-feed")
            coded.append(
                GraphQLError(
                    formatted["message"],
                    nodes=error.nodes,
                    source=error.source,
                    positions=error.positions,
                    path=error.path,
                    extensions=formatted["extensions"],
                )
            )
        return coded


SLOW_CLIENT_CLOSE = 1013  # "try again later": reconnect, with `after`
WATCH_EVERY_S = 0.25


class FeedSession:
    """One WebSocket connection: its key (from `connection_init`), what its followers need, and a watch on a
    client too slow to take its events (one whose buffers are full: sending to it waits)."""

    def __init__(self, state: Any, websocket: WebSocket) -> None:
        self.state = state
        self.websocket = websocket
        self.connection_params: dict[str, Any] = {}  # Strawberry puts the `connection_init` payload here
        self.principal: Principal | None = None
        self.secret_hash = b""
        self._handing: dict[asyncio.Task[Any] | None, float] = {}  # follower -> since when it waits on the client
        self._watch: asyncio.Task[None] | None = None

    def handing_over(self) -> None:
        self._handing[asyncio.current_task()] = time.monotonic()

    def handed_over(self) -> None:
        self._handing.pop(asyncio.current_task(), None)

    def watch(self) -> None:
        """From now on, disconnect the client once it leaves an event untaken for `feed_slow_client_s`."""
        self._watch = asyncio.create_task(self._watch_client(self.state.settings.feed_slow_client_s))

    async def _watch_client(self, at_most_s: float) -> None:
        while self.websocket.application_state != WebSocketState.DISCONNECTED:
            await asyncio.sleep(WATCH_EVERY_S)
            waiting = [since for task, since in self._handing.items() if task is None or not task.done()]
            if waiting and time.monotonic() - min(waiting) > at_most_s:
                log.info("live feed: a client left an event untaken for %.1f s; disconnected", at_most_s)
                reason = "Too slow: reconnect with `after` set to the last event you took"
                with contextlib.suppress(Exception):  # it went away meanwhile
                    await self.websocket.close(code=SLOW_CLIENT_CLOSE, reason=reason)
                return

    async def authenticate(self) -> None:
        """The key in the payload (`Authorization: Bearer <key>`, or `apiKey`); `ConnectionRejectionError`
        without a valid one."""
        params = {str(name).lower(): value for name, value in self.connection_params.items()}
        offered = params.get("authorization") or params.get("apikey") or ""
        token = offered.removeprefix("Bearer ").strip() if isinstance(offered, str) else ""
        if not looks_like_key(token):
            raise ConnectionRejectionError
        try:
            principal = await find_principal(self.state.pool, token)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("live feed: the key could not be checked (%s)", error)
            raise ConnectionRejectionError from None
        if principal is None:
            raise ConnectionRejectionError
        self.principal, self.secret_hash = principal, hash_key(token)

    def open_context(self) -> Context:
        """A fresh context on the pool, checking the key again when its transaction begins."""
        principal = self.principal
        assert principal is not None  # Strawberry runs no operation before `connection_init` was accepted
        settings = self.state.settings
        limits = limits_of(settings, principal)
        full = limits.status(limits.capacity)  # the feed spends no cost points
        key_check = key_check_sql(self.secret_hash, principal.key_id)
        request_id = f"feed-{uuid.uuid4().hex}"
        return build_context(
            request_id, principal, settings, self.state.pool, full, self.state.pool_waiters, key_check=key_check
        )

    async def wait_for_changes(self, producer_id: int, at_most_s: float) -> None:
        listener: ChangeListener = self.state.change_listener
        await listener.wait_for_changes(producer_id, at_most_s)


class LiveFeedView(GraphQL[FeedSession, None]):
    """graphql-transport-ws on /graphql (HTTP requests go to `graphql_http`)."""

    def __init__(self, schema: GatewaySchema, state: Any) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_WAIT,
            max_subscriptions_per_connection=MAX_FEEDS_PER_CONNECTION,
        )
        self.state = state

    async def get_context(self, request: Any, response: Any) -> FeedSession:
        return FeedSession(self.state, request)

    async def on_ws_connect(self, context: FeedSession) -> UnsetType:
        await context.authenticate()
        context.watch()
        plain: UnsetType = UNSET  # a `connection_ack` without a payload
        return plain


def live_feed(state: Any, production: bool) -> LiveFeedView:
    """The WebSocket endpoint, with a schema of its own whose errors carry their codes."""
    return LiveFeedView(build_schema(production=production, error_extensions=(FeedErrors,)), state)
