"""The database as one producer sees it during one request: one connection, one transaction, the tenant set.

Row-level security reads the tenant from `TENANT_SETTING`; every statement of a request runs in a transaction
that set it to the request's producer. Whoever wants to watch the statements (tracing, in `gateway/`) sets
`STATEMENT_OBSERVER` for the request: this layer calls it and knows nothing of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import Any, Protocol, cast

import asyncpg

from loaders.api_keys import KEY_REVOKED_SQLSTATE

TENANT_SETTING = "app.producer_id"


class StatementObserver(Protocol):
    """Runs one statement on the connection for the request, watching it (a tracing span, for one)."""

    async def statement(
        self, connection: asyncpg.pool.PoolConnectionProxy, method: str, sql: str, args: tuple[Any, ...]
    ) -> Any: ...


STATEMENT_OBSERVER: ContextVar[StatementObserver | None] = ContextVar("statement_observer", default=None)


class PoolExhausted(Exception):
    """No pool connection became free within the acquire timeout."""


class PoolWaiters:
    """How many requests of this process are waiting for a pool connection right now."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


async def acquire(
    pool: asyncpg.Pool, within: float | None, waiters: PoolWaiters | None = None
) -> asyncpg.pool.PoolConnectionProxy:
    """A pool connection within `within` seconds, or `PoolExhausted`; counted in `waiters` while waiting."""
    if waiters is not None:
        waiters.value += 1
    try:
        return await pool.acquire(timeout=within)
    except TimeoutError:
        raise PoolExhausted(f"no database connection free within {within} s") from None
    finally:
        if waiters is not None:
            waiters.value -= 1


class KeyRevoked(Exception):
    """The request's key, remembered from an earlier request, was revoked since (or no longer exists)."""


@contextlib.contextmanager
def _revoked_key_raises() -> Iterator[None]:
    try:
        yield
    except asyncpg.PostgresError as error:
        if error.sqlstate == KEY_REVOKED_SQLSTATE:
            raise KeyRevoked from None
        raise


class TenantDatabase:
    """One producer's view of the database for one request.

    The connection is the one the request's key was checked on, or else taken from the pool on the first
    statement; it is held until `close()`. Every statement runs in one transaction whose tenant setting is
    the producer, so row-level security applies and all reads of a request see one snapshot. Statements
    are serialised on the connection (asyncpg runs one at a time); loaders batch, so there are few of them.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        producer_id: int,
        *,
        readonly: bool = True,
        acquire_timeout: float | None = None,
        waiters: PoolWaiters | None = None,
        connection: asyncpg.pool.PoolConnectionProxy | None = None,
        key_check: str | None = None,
        step: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.pool = pool
        self.producer_id = producer_id
        self.readonly = readonly
        self.sql_seconds = 0.0
        self._waiters = waiters or PoolWaiters()
        # one snapshot for the whole request; a mutation request reads committed data instead, so that
        # what its writes committed is visible to the reads that follow them
        self.snapshot = True
        self.statements = 0
        self._acquire_timeout = acquire_timeout
        self._lock = asyncio.Lock()
        self._connection = connection  # held for the request; the transaction starts on the first statement
        self._in_transaction = False
        self._key_check = key_check  # a statement checking the request's key, run with the first `begin`
        self._custom_plans = False  # plan_per_execution() done in this transaction
        self._step = step  # awaited before a statement and when its rows arrive: where others may go first

    async def start(self) -> None:
        """Open the transaction now (checking the key, if there is a check to run): `KeyRevoked`."""
        async with self._lock:
            await self._connect()

    async def _connect(self) -> asyncpg.pool.PoolConnectionProxy:
        if self._connection is None:
            self._connection = await self._acquire()
        if not self._in_transaction:
            isolation = "repeatable read" if self.snapshot else "read committed"
            mode = "read only" if self.readonly else "read write"
            # one round trip: the producer id is an integer of ours, never text from a request
            statements = (
                f"begin isolation level {isolation} {mode};"
                f" select set_config('{TENANT_SETTING}', '{int(self.producer_id)}', true)"
            )
            if self._key_check is not None:
                statements += f"; {self._key_check}"
            try:
                with _revoked_key_raises():
                    await self._connection.execute(statements)
            except KeyRevoked:
                await self._connection.execute("rollback")  # the failed check aborted the transaction
                raise
            self._key_check = None
            self._in_transaction = True
            self._custom_plans = False
        return self._connection

    async def _check_key(self, connection: asyncpg.pool.PoolConnectionProxy) -> None:
        assert self._key_check is not None
        with _revoked_key_raises():
            await connection.execute(self._key_check)
        self._key_check = None

    async def _acquire(self) -> asyncpg.pool.PoolConnectionProxy:
        return await acquire(self.pool, self._acquire_timeout, self._waiters)

    async def _run(self, method: str, sql: str, args: tuple[Any, ...]) -> Any:
        if self._step is not None:
            await self._step(0.0)
        async with self._lock:
            connection = await self._connect()
            self.statements += 1
            started = time.perf_counter()
            try:
                if (observer := STATEMENT_OBSERVER.get()) is not None:  # a watched request (tracing)
                    result = await observer.statement(connection, method, sql, args)
                else:
                    result = await getattr(connection, method)(sql, *args)
            finally:
                spent = time.perf_counter() - started
                self.sql_seconds += spent
        if self._step is not None:
            await self._step(spent)
        return result

    async def fetch(self, sql: str, *args: Any, per_producer_plan: bool = False) -> list[asyncpg.Record]:
        """Rows of one statement. `per_producer_plan`: see `plan_per_execution`."""
        if per_producer_plan:
            await self.plan_per_execution()
        rows: list[asyncpg.Record] = await self._run("fetch", sql, args)
        return rows

    async def fetchrow(self, sql: str, *args: Any, per_producer_plan: bool = False) -> asyncpg.Record | None:
        if per_producer_plan:
            await self.plan_per_execution()
        row: asyncpg.Record | None = await self._run("fetchrow", sql, args)
        return row

    async def plan_per_execution(self) -> None:
        """Have the statements that follow in this transaction planned for their own parameter values.

        asyncpg prepares every statement, and after five executions PostgreSQL may keep one generic plan,
        chosen for an average producer. For aggregates over a period that plan is wrong for a large producer:
        the reports over 90 days for one with 100,000 sales took 177 ms of SQL with it and 112 ms with plans
        made per execution (`bench.profile Q6`). The setting is transaction-local; one round trip, once.
        """
        async with self._lock:
            connection = await self._connect()
            if not self._custom_plans:
                await connection.execute("set local plan_cache_mode = force_custom_plan")
                self._custom_plans = True

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._run("fetchval", sql, args)

    @contextlib.asynccontextmanager
    async def write(self) -> AsyncIterator[asyncpg.Connection]:
        """A read-write transaction for one write, bound to the producer, on the request's connection:
        committed when the block ends normally, rolled back (nothing written) when it raises.

        A read transaction open on the connection is ended first (it only read). Using the request's own
        connection matters: a request holding one connection while waiting for a second could deadlock
        the pool under load.
        """
        async with self._lock:
            if self._connection is None:
                self._connection = await self._acquire()
            connection = self._connection
            try:
                if self._in_transaction:
                    await connection.execute("rollback")
                    self._in_transaction = False
                async with connection.transaction():
                    await connection.execute("select set_config($1, $2, true)", TENANT_SETTING, str(self.producer_id))
                    if self._key_check is not None:  # a write before any read: the key is checked here
                        await self._check_key(connection)
                    yield cast(asyncpg.Connection, connection)  # the pool's proxy behaves as the connection
            except BaseException:
                # a failed write leaves the connection suspect (it may have died with the database): give it
                # back, the pool checks or replaces it, and what follows takes a fresh one
                self._connection, self._in_transaction = None, False
                with contextlib.suppress(Exception):
                    await self.pool.release(connection)
                raise

    async def close(self, *, commit: bool = True) -> None:
        """End the transaction and give the connection back.

        A read-only transaction is always rolled back: there is nothing to keep, and it may have failed.
        """
        async with self._lock:  # after the statement in flight, if any
            await self._close(commit=commit)

    async def _close(self, *, commit: bool) -> None:
        connection, in_transaction = self._connection, self._in_transaction
        self._connection, self._in_transaction = None, False
        if connection is None:
            return
        try:
            if in_transaction and commit and not self.readonly:
                await connection.execute("commit")
            elif in_transaction:
                with contextlib.suppress(
                    asyncpg.InterfaceError, asyncpg.InternalClientError, asyncpg.PostgresError, OSError
                ):
                    await connection.execute("rollback")  # a dead connection rolled back by itself
        finally:
            # a connection broken mid-operation fails its reset: the pool then terminates it and frees its slot
            with contextlib.suppress(Exception):
                await self.pool.release(connection)
