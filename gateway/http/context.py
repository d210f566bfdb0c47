"""The resolvers' per-request context, as the HTTP layer builds it for an authenticated request."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from gateway.operations.settings import Settings
from loaders.api_keys import Principal
from loaders.database import PoolWaiters, TenantDatabase
from loaders.registry import Loaders
from resolvers.context import Context, ThrottleStatus


def build_context(
    request_id: str,
    principal: Principal,
    settings: Settings,
    pool: asyncpg.Pool,
    throttle_status: ThrottleStatus,
    waiters: PoolWaiters | None = None,
    connection: asyncpg.pool.PoolConnectionProxy | None = None,
    key_check: str | None = None,
    step: Callable[[float], Awaitable[None]] | None = None,
) -> Context:
    """A context whose loaders are new: nothing cached survives the request. `throttle_status`: the key's cost
    budget once the request's requested cost was taken (`rateLimit`). `connection`, if given, is
    the request's (the one its key was checked on); the context's database owns it from now on. `key_check`,
    if given, is a statement checking a remembered key, run with the transaction's first round trip. `step`, if
    given, is awaited whenever a statement's rows arrive (the request's turn, `loaders.fairness`)."""
    db = TenantDatabase(
        pool,
        principal.producer_id,
        acquire_timeout=settings.pool_acquire_timeout_s,
        waiters=waiters,
        connection=connection,
        key_check=key_check,
        step=step,
    )
    return Context(
        request_id=request_id,
        principal=principal,
        db=db,
        loaders=Loaders(db),
        prepayment_fee_percent=settings.prepayment_fee_percent,
        throttle_status=throttle_status,
        production=settings.production,
    )
