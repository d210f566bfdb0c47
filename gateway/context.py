"""The per-request context: who is asking, and a fresh set of loaders bound to that producer."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from gateway.auth import Principal
from gateway.settings import Settings
from loaders.base import PoolWaiters, TenantDatabase
from loaders.registry import Loaders


@dataclass(slots=True)
class Context:
    request_id: str
    principal: Principal
    settings: Settings
    db: TenantDatabase
    loaders: Loaders

    @property
    def producer_id(self) -> int:
        return self.principal.producer_id


def build_context(
    request_id: str,
    principal: Principal,
    settings: Settings,
    pool: asyncpg.Pool,
    waiters: PoolWaiters | None = None,
    connection: asyncpg.pool.PoolConnectionProxy | None = None,
    key_check: str | None = None,
) -> Context:
    """A context whose loaders are new: nothing cached survives the request. `connection`, if given, is
    the request's (the one its key was checked on); the context's database owns it from now on. `key_check`,
    if given, is a statement checking a remembered key, run with the transaction's first round trip."""
    db = TenantDatabase(
        pool,
        principal.producer_id,
        acquire_timeout=settings.pool_acquire_timeout_s,
        waiters=waiters,
        connection=connection,
        key_check=key_check,
    )
    return Context(
        request_id=request_id, principal=principal, settings=settings, db=db, loaders=Loaders.for_request(db)
    )
