"""The cost budget of each API key: a leaky bucket of cost points, shared by every process through Redis.

A key's bucket holds up to `capacity` points and refills at `restore_rate` points a second. A request is
admitted when its requested cost (`schema/cost.py`) is available: that much is taken at once, so that requests
running side by side cannot spend the same points twice, and what the answer did not use (requested minus
actual cost) is given back when it is complete. A request that does not fit is refused whole (`THROTTLED`,
HTTP 429) with the seconds until it would.

With `REDIS_URL` the buckets live in Redis, each updated by one Lua script (`EVALSHA`) on Redis's own clock, so
every process and replica draws on one budget per key. Without it each process keeps its own. When Redis does
not answer the gateway keeps serving (it fails open, to this process's own buckets, which still bound each
process), logs it once, counts it in `/metrics` (`gateway_cost_bucket_failures_total`) and tries Redis again
a second later.
"""

from __future__ import annotations

import importlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from gateway.operations.settings import Settings
from loaders.api_keys import Principal
from resolvers.context import ThrottleStatus

log = logging.getLogger(__name__)

REDIS_KEY_PREFIX = "sales-gateway:cost:"
REDIS_TIMEOUT_S = 0.25
REDIS_RETRY_AFTER_S = 1.0  # after a failure, the process's own buckets answer this long before Redis is tried again
LOCAL_KEYS = 10_000  # buckets one process keeps before it forgets the full ones (a full bucket is no bucket)

# KEYS[1]: the bucket; ARGV: capacity, restore rate (points a second), points, and "take" or "give".
# Returns {1 when admitted, the points available after, as a string (Lua numbers come back as integers)}.
BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local points = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local saved = redis.call('HMGET', KEYS[1], 'available', 'at')
local available = tonumber(saved[1]) or capacity
local at = tonumber(saved[2]) or now
available = math.min(capacity, available + math.max(0, now - at) * rate)
local admitted = 1
if ARGV[4] == 'take' then
    if points <= available then available = available - points else admitted = 0 end
else
    available = math.min(capacity, available + points)
end
redis.call('HSET', KEYS[1], 'available', tostring(available), 'at', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil((capacity - available) / rate) + 60)
return {admitted, tostring(available)}
"""


@dataclass(frozen=True, slots=True)
class BucketLimits:
    """A key's bucket: the most it holds and the points it gets back each second."""

    capacity: int
    restore_rate: int

    def status(self, available: float) -> ThrottleStatus:
        return ThrottleStatus(self.capacity, max(0, math.floor(available)), self.restore_rate)


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether a request's points were taken, where its bucket stands after, and when they would be there."""

    admitted: bool
    status: ThrottleStatus
    retry_after_s: int  # 0 when admitted


def admission(limits: BucketLimits, points: int, admitted: bool, available: float) -> Admission:
    wait = 0 if admitted else max(1, math.ceil((points - available) / limits.restore_rate))
    return Admission(admitted, limits.status(available), wait)


class CostBuckets(Protocol):
    """Where the keys' buckets are kept. A bucket is named by the key's hash, unique across databases."""

    async def take(self, bucket: str, limits: BucketLimits, points: int) -> Admission:
        """Take `points` when the bucket holds them (0 points: where it stands)."""
        ...

    async def give_back(self, bucket: str, limits: BucketLimits, points: int) -> ThrottleStatus: ...

    async def close(self) -> None: ...


class LocalBuckets:
    """The buckets of this process (`time.monotonic` clock)."""

    def __init__(self) -> None:
        self._buckets: dict[str, tuple[float, float]] = {}  # bucket -> (available, when)

    def _available(self, bucket: str, limits: BucketLimits, now: float) -> float:
        available, at = self._buckets.get(bucket, (limits.capacity, now))
        return min(limits.capacity, available + max(0.0, now - at) * limits.restore_rate)

    def _keep(self, bucket: str, available: float, now: float) -> None:
        if len(self._buckets) >= LOCAL_KEYS and bucket not in self._buckets:
            self._forget_full(now)
        self._buckets[bucket] = (available, now)

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that had time to fill up again whatever their size (and the oldest, if none had)."""
        stale = [name for name, (_, at) in self._buckets.items() if now - at > 3600]
        for name in stale or list(self._buckets)[: LOCAL_KEYS // 10]:
            del self._buckets[name]

    async def take(self, bucket: str, limits: BucketLimits, points: int) -> Admission:
        now = time.monotonic()
        available = self._available(bucket, limits, now)
        admitted = points <= available
        if admitted:
            available -= points
        self._keep(bucket, available, now)
        return admission(limits, points, admitted, available)

    async def give_back(self, bucket: str, limits: BucketLimits, points: int) -> ThrottleStatus:
        now = time.monotonic()
        available = min(limits.capacity, self._available(bucket, limits, now) + points)
        self._keep(bucket, available, now)
        return limits.status(available)

    async def close(self) -> None:
        return None


class RedisBuckets:
    """The buckets of every process, in Redis; this process's own while Redis does not answer."""

    def __init__(self, url: str, count_failure: Callable[[], None]) -> None:
        # imported only when Redis is used: the client library imports OpenTelemetry when it is installed
        client = importlib.import_module("redis.asyncio")
        self._errors: tuple[type[Exception], ...] = (importlib.import_module("redis.exceptions").RedisError, OSError)
        self._redis: Any = client.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        self._script: Any = self._redis.register_script(BUCKET_SCRIPT)  # EVALSHA, loaded again after a restart
        self._local = LocalBuckets()
        self._count_failure = count_failure
        self._failed_at: float | None = None

    async def _run(self, bucket: str, limits: BucketLimits, points: int, mode: str) -> tuple[bool, float] | None:
        """(admitted, available) from Redis, or None when it does not answer (or did not a moment ago)."""
        if self._failed_at is not None and time.monotonic() - self._failed_at < REDIS_RETRY_AFTER_S:
            return None
        try:
            admitted, available = await self._script(
                keys=[REDIS_KEY_PREFIX + bucket], args=[limits.capacity, limits.restore_rate, points, mode]
            )
        except self._errors as error:
            self._count_failure()
            if self._failed_at is None:
                log.warning("cost buckets: Redis does not answer (%s); this process's own buckets stand in", error)
            self._failed_at = time.monotonic()
            return None
        if self._failed_at is not None:
            log.warning("cost buckets: Redis answers again")
            self._failed_at = None
        return admitted == 1, float(available)

    async def take(self, bucket: str, limits: BucketLimits, points: int) -> Admission:
        found = await self._run(bucket, limits, points, "take")
        if found is None:
            return await self._local.take(bucket, limits, points)
        return admission(limits, points, *found)

    async def give_back(self, bucket: str, limits: BucketLimits, points: int) -> ThrottleStatus:
        found = await self._run(bucket, limits, points, "give")
        if found is None:
            return await self._local.give_back(bucket, limits, points)
        return limits.status(found[1])

    async def close(self) -> None:
        await self._redis.aclose()


def rate_limit_headers(status: ThrottleStatus) -> dict[str, str]:
    """The IETF `RateLimit-Policy` and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers): the quota
    in cost points and the seconds an empty bucket takes to fill (w); the points left and the seconds until
    the bucket is full again (t)."""
    window = math.ceil(status.maximum_available / status.restore_rate)
    return {
        "ratelimit-policy": f'"cost";q={status.maximum_available};w={window}',
        "ratelimit": f'"cost";r={status.currently_available};t={status.seconds_to_full}',
    }


def limits_of(settings: Settings, principal: Principal) -> BucketLimits:
    """The key's own bucket when it has one (`keys create --cost-limit --restore-rate`), else the settings'."""
    return BucketLimits(
        principal.cost_limit or settings.cost_bucket_size, principal.restore_rate or settings.cost_restore_rate
    )


def cost_extension(requested: int, actual: int, maximum: int, status: ThrottleStatus | None) -> dict[str, Any]:
    """An answer's `extensions.cost`: what the document asked for, what the answer held, the most one document
    may cost the key, and where the key's bucket stands (unknown before the key is)."""
    cost: dict[str, Any] = {"requestedQueryCost": requested, "actualQueryCost": actual, "maximumQueryCost": maximum}
    if status is not None:
        cost["throttleStatus"] = {
            "maximumAvailable": status.maximum_available,
            "currentlyAvailable": status.currently_available,
            "restoreRate": status.restore_rate,
        }
    return cost


@dataclass(slots=True)
class Charge:
    """One request's draw on its key's bucket: its requested cost taken on admission (when it fits), and what
    its answer did not use given back when it is complete (`settle`)."""

    buckets: CostBuckets
    bucket: str
    limits: BucketLimits
    requested: int
    maximum: int  # the most one document may cost this key: the setting, or less when its bucket is smaller
    admission: Admission
    settled: ThrottleStatus | None = None

    @property
    def within_maximum(self) -> bool:
        return self.requested <= self.maximum

    @property
    def admitted(self) -> bool:
        return self.within_maximum and self.admission.admitted

    @property
    def status(self) -> ThrottleStatus:
        return self.settled or self.admission.status

    async def settle(self, actual: int) -> dict[str, Any]:
        """Give back what was taken beyond `actual` (everything, for a request refused or not run); the answer's
        `extensions.cost`."""
        if self.settled is None:
            taken = self.requested if self.admitted else 0
            unused = max(0, taken - actual)
            self.settled = (
                await self.buckets.give_back(self.bucket, self.limits, unused) if unused else self.admission.status
            )
        return cost_extension(self.requested, actual if self.admitted else 0, self.maximum, self.settled)


async def charge(
    buckets: CostBuckets, settings: Settings, principal: Principal, secret_hash: bytes, requested: int
) -> Charge:
    """Take a request's requested cost from its key's bucket when it fits; a document above the maximum takes
    nothing (it is refused) but learns where the bucket stands."""
    limits = limits_of(settings, principal)
    maximum = min(settings.max_query_cost, limits.capacity)
    bucket = secret_hash.hex()[:32]
    taken = await buckets.take(bucket, limits, requested if requested <= maximum else 0)
    return Charge(buckets, bucket, limits, requested, maximum, taken)
