"""Every setting of the gateway, read from the environment once and validated."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import platformdirs

N = TypeVar("N", int, float)
T = TypeVar("T")

ENVIRONMENTS = ("development", "production")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
WEBHOOK_WORKERS = ("auto", "in-process", "off")


class SettingsError(ValueError):
    """A setting in the environment is missing or malformed."""


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("sales-gateway", appauthor=False))


@dataclass(frozen=True, slots=True)
class Settings:
    """The gateway's configuration. Build it with `Settings.from_env()`."""

    database_url: str | None = None
    database_owner_url: str | None = None
    env: str = "development"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    pool_min_size: int = 2
    pool_max_size: int = 10
    pool_producer_share_percent: int = 50  # of the pool, the most one producer's requests hold at once
    pool_acquire_timeout_s: float = 5.0
    connect_timeout_s: float = 5.0
    shutdown_grace_s: float = 20.0
    statement_timeout_ms: int = 5_000
    data_dir: Path = field(default_factory=_default_data_dir)
    graphiql: bool = True
    fast_path: bool = True
    gc_threshold: int = 10_000
    log_level: str = "INFO"
    prepayment_fee_percent: Decimal = Decimal("2.50")
    demo_producers: int = 20
    demo_sales: int = 20_000
    tracing_endpoint: str | None = None  # the OTLP/HTTP URL spans are sent to; None: no tracing
    cors_origins: tuple[str, ...] = ()  # the origins whose pages may call the API from a browser ("*": any)
    max_query_cost: int = 1_000  # the most one document may ask for, in cost points (schema/cost.py)
    cost_bucket_size: int = 1_000  # a key's bucket of cost points, unless the key has its own (keys create)
    cost_restore_rate: int = 50  # the points a key's bucket gets back each second, unless the key has its own
    event_retention_days: int = 30  # events older than this are deleted
    feed_slow_client_s: float = 30.0  # a live-feed client leaving an event untaken this long is disconnected
    webhook_worker: str = "auto"  # in-process | off | auto (in-process on the embedded default)
    webhook_retry_base_s: float = 30.0  # the first retry of a failed delivery; each next one waits twice as long
    redis_url: str | None = None  # where state shared between processes lives; None: each process keeps its own
    trusted_documents: Path | None = None  # a JSON file of the only documents that run (hash -> query)
    service_name: str = "sales-gateway"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def embedded(self) -> bool:
        """No database was configured: the gateway runs its own PostgreSQL."""
        return self.database_url is None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the settings; raise `SettingsError` naming the bad variable."""
        env = os.environ if environ is None else environ
        reader = _Reader(env)
        gateway_env = reader.choice("GATEWAY_ENV", "development", ENVIRONMENTS)
        pool_min = reader.bounded("DB_POOL_MIN_SIZE", 2, minimum=0, maximum=1000)
        pool_max = reader.bounded("DB_POOL_MAX_SIZE", 10, minimum=1, maximum=1000)
        if pool_min > pool_max:
            raise SettingsError(f"DB_POOL_MIN_SIZE ({pool_min}) is larger than DB_POOL_MAX_SIZE ({pool_max})")
        database_url = reader.text("DATABASE_URL")
        if gateway_env == "production" and database_url is None:
            raise SettingsError("DATABASE_URL is required when GATEWAY_ENV=production")
        data_dir = reader.text("GATEWAY_DATA_DIR")
        return cls(
            database_url=database_url,
            database_owner_url=reader.text("DATABASE_OWNER_URL") or database_url,
            env=gateway_env,
            host=reader.text("GATEWAY_HOST") or "127.0.0.1",
            port=reader.bounded("GATEWAY_PORT", 8000, minimum=0, maximum=65535),
            workers=reader.bounded("GATEWAY_WORKERS", 1, minimum=1, maximum=64),
            pool_min_size=pool_min,
            pool_max_size=pool_max,
            pool_producer_share_percent=reader.bounded("DB_POOL_PRODUCER_SHARE_PERCENT", 50, minimum=1, maximum=100),
            pool_acquire_timeout_s=reader.bounded("DB_ACQUIRE_TIMEOUT_S", 5.0, minimum=0.01, maximum=600),
            connect_timeout_s=reader.bounded("DB_CONNECT_TIMEOUT_S", 5.0, minimum=0.1, maximum=600),
            shutdown_grace_s=reader.bounded("GATEWAY_SHUTDOWN_GRACE_S", 20.0, minimum=0, maximum=3600),
            statement_timeout_ms=reader.bounded("DB_STATEMENT_TIMEOUT_MS", 5_000, minimum=1, maximum=3_600_000),
            data_dir=Path(data_dir).expanduser() if data_dir else _default_data_dir(),
            graphiql=reader.boolean("GATEWAY_GRAPHIQL", gateway_env != "production"),
            fast_path=reader.boolean("GATEWAY_FAST_PATH", True),
            gc_threshold=reader.bounded("GATEWAY_GC_THRESHOLD", 10_000, minimum=0, maximum=10_000_000),
            log_level=reader.choice("LOG_LEVEL", "INFO", LOG_LEVELS, upper=True),
            prepayment_fee_percent=reader.percent("GATEWAY_PREPAYMENT_FEE_PERCENT", Decimal("2.50")),
            demo_producers=reader.bounded("GATEWAY_DEMO_PRODUCERS", 20, minimum=1, maximum=100_000),
            demo_sales=reader.bounded("GATEWAY_DEMO_SALES", 20_000, minimum=0, maximum=100_000_000),
            tracing_endpoint=_traces_endpoint(reader),
            cors_origins=reader.origins("GATEWAY_CORS_ORIGINS"),
            max_query_cost=reader.bounded("GATEWAY_MAX_QUERY_COST", 1_000, minimum=1, maximum=1_000_000),
            cost_bucket_size=reader.bounded("GATEWAY_COST_BUCKET_SIZE", 1_000, minimum=1, maximum=100_000_000),
            cost_restore_rate=reader.bounded("GATEWAY_COST_RESTORE_RATE", 50, minimum=1, maximum=100_000_000),
            event_retention_days=reader.bounded("GATEWAY_EVENT_RETENTION_DAYS", 30, minimum=1, maximum=3650),
            feed_slow_client_s=reader.bounded("GATEWAY_FEED_SLOW_CLIENT_S", 30.0, minimum=0.1, maximum=3600),
            webhook_worker=reader.choice("GATEWAY_WEBHOOK_WORKER", "auto", WEBHOOK_WORKERS),
            webhook_retry_base_s=reader.bounded("GATEWAY_WEBHOOK_RETRY_BASE_S", 30.0, minimum=0.05, maximum=3600),
            redis_url=reader.redis_url("REDIS_URL"),
            trusted_documents=reader.existing_file("GATEWAY_TRUSTED_DOCUMENTS"),
            service_name=reader.text("OTEL_SERVICE_NAME") or "sales-gateway",
        )


def _traces_endpoint(reader: _Reader) -> str | None:
    """Where spans go (OpenTelemetry's variables): `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as it is, or else
    `OTEL_EXPORTER_OTLP_ENDPOINT` followed by `/v1/traces`."""
    traces = reader.http_url("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if traces is not None:
        return traces
    base = reader.http_url("OTEL_EXPORTER_OTLP_ENDPOINT")
    return None if base is None else base.rstrip("/") + "/v1/traces"


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


class _Reader:
    """Typed access to environment variables with errors that name the variable."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str) -> str | None:
        value = self._environ.get(name, "").strip()
        return value or None

    def http_url(self, name: str) -> str | None:
        raw = self.text(name)
        if raw is not None and not raw.lower().startswith(("http://", "https://")):
            raise SettingsError(f"{name} must be an http:// or https:// URL (OTLP over HTTP), got {raw!r}")
        return raw

    def redis_url(self, name: str) -> str | None:
        raw = self.text(name)
        if raw is not None and not raw.lower().startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError(f"{name} must be a redis://, rediss:// or unix:// URL, got {raw!r}")
        return raw

    def existing_file(self, name: str) -> Path | None:
        raw = self.text(name)
        if raw is None:
            return None
        path = Path(raw).expanduser()
        if not path.is_file():
            raise SettingsError(f"{name} must name an existing file, got {raw!r}")
        return path

    def origins(self, name: str) -> tuple[str, ...]:
        """Comma-separated web origins (`https://app.example.com`, `http://localhost:5173`), or `*` alone."""
        raw = self.text(name)
        if raw is None:
            return ()
        origins = tuple(origin.strip() for origin in raw.split(",") if origin.strip())
        if origins == ("*",):
            return origins
        for origin in origins:
            if not _ORIGIN.fullmatch(origin):
                raise SettingsError(
                    f"{name} must list origins such as https://app.example.com (scheme, host and port only, no"
                    f" path), or be *; got {origin!r}"
                )
        return origins

    def bounded(self, name: str, default: N, *, minimum: N, maximum: N) -> N:
        """A whole number if `default` is one, else a number; within [minimum, maximum]."""
        value = self._parsed(name, default, type(default), "a whole number" if isinstance(default, int) else "a number")
        if not minimum <= value <= maximum:
            raise SettingsError(f"{name} must be between {minimum} and {maximum}, got {value}")
        return value

    def percent(self, name: str, default: Decimal) -> Decimal:
        value = self._parsed(name, default, Decimal, "a percent such as 2.50")
        if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
            raise SettingsError(f"{name} must be a percent from 0 to 100 with at most 2 decimals, got {value}")
        return value

    def _parsed(self, name: str, default: T, parse: Callable[[str], T], kind: str) -> T:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            return parse(raw)
        except (ValueError, ArithmeticError):
            raise SettingsError(f"{name} must be {kind}, got {raw!r}") from None

    def boolean(self, name: str, default: bool) -> bool:
        raw = self.text(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(f"{name} must be true or false, got {raw!r}")

    def choice(self, name: str, default: str, allowed: tuple[str, ...], *, upper: bool = False) -> str:
        raw = self.text(name)
        if raw is None:
            return default
        value = raw.upper() if upper else raw.lower()
        if value not in allowed:
            raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
        return value
