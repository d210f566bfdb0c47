"""The Starlette application: routes, lifespan (pool open and close), health checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import asyncpg
from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from gateway.execution.executor import FastExecutor
from gateway.http.auth import KnownKeys
from gateway.http.feed import ChangeListener, live_feed
from gateway.http.graphql_http import graphql_endpoint
from gateway.http.metrics import GatewayMetrics, metrics_endpoint
from gateway.http.pages import page_routes
from gateway.http.persisted import LocalQueries, QueryStore, RedisQueries, TrustedDocuments
from gateway.http.responses import OrjsonResponse
from gateway.http.throttling import CostBuckets, LocalBuckets, RedisBuckets
from gateway.operations.database import open_pool
from gateway.operations.settings import Settings
from gateway.operations.tracing import open_tracing
from gateway.operations.webhooks import run_worker
from loaders.admin import serving_role_problems
from loaders.database import PoolWaiters
from loaders.events import prune_events
from loaders.fairness import Fairness
from schema import GatewaySchema, build_schema

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

log = logging.getLogger(__name__)


async def healthz(request: Request) -> Response:
    """Alive: the process answers."""
    return OrjsonResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Ready: the database answers within a second."""
    pool: asyncpg.Pool = request.app.state.pool
    try:
        async with pool.acquire(timeout=1.0) as connection:
            await connection.fetchval("select 1", timeout=1.0)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        log.warning("not ready: %s", error)
        return OrjsonResponse({"status": "unavailable"}, status_code=503)
    return OrjsonResponse({"status": "ready"})


# what a browser page on an allowed origin may send, and read of the answer
CORS_REQUEST_HEADERS = (
    "authorization",
    "content-type",
    "accept",
    "x-request-id",
    "traceparent",
    "tracestate",
    "if-none-match",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
)
CORS_EXPOSED_HEADERS = ("x-request-id", "etag", "retry-after", "ratelimit", "ratelimit-policy")
CORS_MAX_AGE_S = 600
GZIP_MINIMUM_BYTES = 1_024


def http_middleware(settings: Settings) -> list[Middleware]:
    """Around every route: CORS for the configured origins (outermost, so that a preflight is answered before
    anything else), then gzip for answers of GZIP_MINIMUM_BYTES or more when the client accepts it."""
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=list(CORS_REQUEST_HEADERS),
                expose_headers=list(CORS_EXPOSED_HEADERS),
                max_age=CORS_MAX_AGE_S,
            )
        )
    middleware.append(Middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES))
    return middleware


def query_store(settings: Settings) -> QueryStore:
    """Where queries named by their hashes are found: the trusted documents only, or what clients taught the
    gateway (in Redis when there is one, shared by every process; else in this process)."""
    if settings.trusted_documents is not None:
        return TrustedDocuments.load(settings.trusted_documents)
    if settings.redis_url is not None:
        return RedisQueries(settings.redis_url)
    log.info("persisted queries: kept in this process (set REDIS_URL to share them between processes)")
    return LocalQueries()


def cost_buckets(settings: Settings, metrics: GatewayMetrics) -> CostBuckets:
    """Where the keys' budgets of cost points are kept: in Redis when there is one, shared by every process;
    else in this process."""
    if settings.redis_url is not None:
        return RedisBuckets(settings.redis_url, metrics.cost_bucket_failures.inc)
    log.info("cost buckets: kept in this process (set REDIS_URL to share each key's budget between processes)")
    return LocalBuckets()


def _webhook_worker(settings: Settings, pool: asyncpg.Pool, stop: asyncio.Event) -> asyncio.Task[None] | None:
    """The webhook delivery worker in this process, when `GATEWAY_WEBHOOK_WORKER` says so (by default, on the
    embedded default only); and a line saying where deliveries are made."""
    in_process = settings.webhook_worker == "in-process" or (settings.webhook_worker == "auto" and settings.embedded)
    if not in_process:
        log.info("webhooks: delivered by `sales-gateway worker` processes, not by this one")
        return None
    log.info("webhooks: delivered by this process (GATEWAY_WEBHOOK_WORKER=%s)", settings.webhook_worker)
    return asyncio.create_task(run_worker(pool, settings, stop))


PRUNE_EVERY_S = 3600


async def _prune_events(pool: asyncpg.Pool, retention_days: int) -> None:
    """Every hour from start-up, delete the events older than the retention (any process may: it is idempotent)."""
    while True:
        try:
            pruned = await prune_events(pool, retention_days)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("events: could not prune the old ones (%s); trying again in an hour", error)
        else:
            if pruned:
                log.info("events: pruned %d older than %d days", pruned, retention_days)
        await asyncio.sleep(PRUNE_EVERY_S)


def create_app(
    settings: Settings,
    database_url: str,
    schema: GatewaySchema | None = None,
    *,
    span_exporter: SpanExporter | None = None,
) -> Starlette:
    """The gateway as an ASGI app serving `database_url` (already migrated).

    Tracing (gateway/tracing.py) is on when an OTLP endpoint is configured, or when `span_exporter` is given."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_tracing(settings, span_exporter) as tracing, open_pool(database_url, settings) as pool:
            app.state.tracing = tracing
            problems = await serving_role_problems(pool)
            if problems:
                raise RuntimeError(
                    "refusing to serve through a role that row-level security does not bind: "
                    + "; ".join(problems)
                    + ". Serve through a member of sales_gateway_app; migrate with DATABASE_OWNER_URL."
                )
            app.state.pool = pool
            app.state.known_keys = KnownKeys()  # keys of this database seen lately
            pruning = asyncio.create_task(_prune_events(pool, settings.event_retention_days))
            app.state.change_listener.start()
            stop_delivering = asyncio.Event()
            delivering = _webhook_worker(settings, pool, stop_delivering)
            try:
                yield
            finally:
                stop_delivering.set()
                if delivering is not None:
                    await delivering
                pruning.cancel()
                await app.state.change_listener.stop()
                await app.state.persisted_queries.close()
                await app.state.cost_buckets.close()

    app_state = State()  # the app's state, which the live feed reads too
    app = Starlette(
        middleware=http_middleware(settings),
        routes=[
            Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", live_feed(app_state, settings.production)),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
            *page_routes(),
        ],
        lifespan=lifespan,
    )
    app.state = app_state
    app.state.settings = settings
    app.state.change_listener = ChangeListener(database_url)
    app.state.tracing = None  # the lifespan sets it when tracing is on
    app.state.metrics = GatewayMetrics()
    app.state.pool_waiters = PoolWaiters()
    app.state.persisted_queries = query_store(settings)
    app.state.cost_buckets = cost_buckets(settings, app.state.metrics)
    app.state.fairness = Fairness(max(1, settings.pool_max_size * settings.pool_producer_share_percent // 100))
    app.state.schema = schema or build_schema(production=settings.production)
    app.state.fast_executor = FastExecutor(app.state.schema) if settings.fast_path else None
    return app
