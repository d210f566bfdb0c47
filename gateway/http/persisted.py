"""Queries named by their SHA-256: Apollo's automatic persisted queries (APQ), and trusted documents.

**APQ.** A client sends only the hash of its query (`extensions.persistedQuery.sha256Hash`). A hash the
gateway knows runs its query; an unknown one is answered `PersistedQueryNotFound` (code
`PERSISTED_QUERY_NOT_FOUND`), and the client sends the hash again with the query: the hash is checked against
the text (`BAD_USER_INPUT` when they differ), the query is kept and run. Queries are kept in a bounded store
in the process, or in Redis when `REDIS_URL` is set, so that every process and replica knows a hash one of them
learned (when Redis does not answer, the process's own store stands in, and says so in the log once).

**Trusted documents** (`GATEWAY_TRUSTED_DOCUMENTS`, a JSON file `{"<sha256>": "<query>", ...}` made when the
first-party apps are built): only those documents run, by hash or by a text whose hash is listed; any other
is `PERSISTED_QUERY_NOT_ALLOWED`, and nothing is learned from requests.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import sys
from pathlib import Path
from typing import Any, Protocol

from gateway.http.requests import BadRequest, GraphQLRequest, ReceivedRequest
from gateway.operations.settings import SettingsError
from schema.caching import BoundedCache

log = logging.getLogger(__name__)

LOCAL_ENTRIES = 4_096
LOCAL_BYTES = 16 * 2**20
REDIS_KEY_PREFIX = "sales-gateway:apq:"
REDIS_TTL_S = 30 * 24 * 3600  # a hash not asked for in 30 days is forgotten; its client sends the query again
REDIS_TIMEOUT_S = 0.5
TRUSTED_DOCUMENTS = "GATEWAY_TRUSTED_DOCUMENTS"


class PersistedQueryNotFound(Exception):
    """The hash names no query the gateway knows: the client should send it again with the query."""


class PersistedQueryNotAllowed(Exception):
    """Only trusted documents run, and this is not one of them."""


def sha256_of(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8")).hexdigest()


class QueryStore(Protocol):
    """Where the queries named by their hashes are kept."""

    trusted_only: bool

    async def get(self, sha256: str) -> str | None: ...

    async def add(self, sha256: str, query: str) -> None: ...

    async def close(self) -> None: ...


class LocalQueries:
    """The queries this process learned, the least recently used dropped past the bounds."""

    trusted_only = False

    def __init__(self) -> None:
        self._queries: BoundedCache[str, str] = BoundedCache(max_entries=LOCAL_ENTRIES, max_bytes=LOCAL_BYTES)

    async def get(self, sha256: str) -> str | None:
        return self._queries.get(sha256)

    async def add(self, sha256: str, query: str) -> None:
        self._queries.add(sha256, query, sys.getsizeof(query) + sys.getsizeof(sha256))

    async def close(self) -> None:
        return None


class RedisQueries:
    """The queries every process learned, in Redis (each kept `REDIS_TTL_S` after it was last asked for);
    this process's own store while Redis does not answer."""

    trusted_only = False

    def __init__(self, url: str) -> None:
        # imported only when Redis is used: the client library imports OpenTelemetry when it is installed
        client = importlib.import_module("redis.asyncio")
        self._errors: tuple[type[Exception], ...] = (importlib.import_module("redis.exceptions").RedisError, OSError)
        self._redis: Any = client.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        self._local = LocalQueries()
        self._failing = False

    async def get(self, sha256: str) -> str | None:
        try:
            found = await self._redis.getex(REDIS_KEY_PREFIX + sha256, ex=REDIS_TTL_S)
        except self._errors as error:
            self._failed(error)
            return await self._local.get(sha256)
        self._recovered()
        if found is None:
            return None
        return found.decode("utf-8") if isinstance(found, bytes) else str(found)

    async def add(self, sha256: str, query: str) -> None:
        await self._local.add(sha256, query)
        try:
            await self._redis.set(REDIS_KEY_PREFIX + sha256, query.encode("utf-8"), ex=REDIS_TTL_S)
        except self._errors as error:
            self._failed(error)
            return
        self._recovered()

    def _failed(self, error: Exception) -> None:
        if not self._failing:
            log.warning("persisted queries: Redis does not answer (%s); this process's own store stands in", error)
            self._failing = True

    def _recovered(self) -> None:
        if self._failing:
            log.warning("persisted queries: Redis answers again")
            self._failing = False

    async def close(self) -> None:
        await self._redis.aclose()


class TrustedDocuments:
    """The documents listed in advance; no other runs."""

    trusted_only = True

    def __init__(self, documents: dict[str, str]) -> None:
        self._documents = documents

    @classmethod
    def load(cls, path: Path) -> TrustedDocuments:
        """The manifest at `path`: a JSON object of SHA-256 → query, each hash checked; `SettingsError` naming
        the setting and what is wrong, so that `serve` says so in one line and stops."""
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeError, ValueError) as error:
            raise SettingsError(f"{TRUSTED_DOCUMENTS} ({path}) is not a readable JSON file: {error}") from None
        if not isinstance(manifest, dict) or not manifest:
            raise SettingsError(f"{TRUSTED_DOCUMENTS} ({path}) must hold a JSON object of SHA-256 hashes to queries")
        for sha256, query in manifest.items():
            if not isinstance(query, str) or sha256_of(query) != sha256:
                raise SettingsError(f"{TRUSTED_DOCUMENTS} ({path}): {sha256[:80]!r} is not the SHA-256 of its query")
        return cls(manifest)

    async def get(self, sha256: str) -> str | None:
        return self._documents.get(sha256)

    async def add(self, sha256: str, query: str) -> None:
        return None

    async def close(self) -> None:
        return None


async def query_of(received: ReceivedRequest, store: QueryStore) -> GraphQLRequest:
    """The request with its query: as sent (its hash checked, and learned), or found by its hash.

    Raises `PersistedQueryNotFound`, `PersistedQueryNotAllowed`, or `BadRequest` for a hash that is not the
    query's.
    """
    sha256, query = received.persisted_hash, received.query
    if query is not None:
        if sha256 is not None and sha256_of(query) != sha256:
            raise BadRequest("`extensions.persistedQuery.sha256Hash` is not the SHA-256 of the query sent with it")
        if store.trusted_only:
            if await store.get(sha256 or sha256_of(query)) is None:
                raise PersistedQueryNotAllowed("Only trusted documents run here, and this query is not one of them")
        elif sha256 is not None:
            await store.add(sha256, query)
        return received.with_query(query)
    assert sha256 is not None  # a request without a query names one by its hash (`graphql_request`)
    found = await store.get(sha256)
    if found is None:
        if store.trusted_only:
            raise PersistedQueryNotAllowed("Only trusted documents run here, and this hash names none of them")
        raise PersistedQueryNotFound("PersistedQueryNotFound")
    return received.with_query(found)
