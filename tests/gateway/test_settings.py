"""Settings come from the environment, with defaults, and bad values are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.operations.settings import Settings, SettingsError


def test_defaults_use_the_embedded_database_in_development() -> None:
    settings = Settings.from_env({})
    assert settings.embedded
    assert settings.env == "development"
    assert settings.graphiql
    assert (settings.port, settings.pool_min_size, settings.pool_max_size) == (8000, 2, 10)


def test_values_are_read_and_validated() -> None:
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://app@db/sales",
            "DATABASE_OWNER_URL": "postgresql://owner@db/sales",
            "GATEWAY_ENV": "production",
            "GATEWAY_PORT": "9000",
            "DB_POOL_MAX_SIZE": "20",
            "DB_STATEMENT_TIMEOUT_MS": "1500",
            "GATEWAY_DATA_DIR": "/srv/gateway",
            "LOG_LEVEL": "debug",
        }
    )
    assert settings.production
    assert not settings.embedded
    assert not settings.graphiql
    assert settings.database_owner_url == "postgresql://owner@db/sales"
    assert (settings.port, settings.pool_max_size, settings.statement_timeout_ms) == (9000, 20, 1500)
    assert settings.data_dir == Path("/srv/gateway")
    assert settings.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"GATEWAY_PORT": "http"}, "GATEWAY_PORT must be a whole number"),
        ({"GATEWAY_PORT": "70000"}, "GATEWAY_PORT must be between"),
        ({"GATEWAY_ENV": "staging"}, "GATEWAY_ENV must be one of"),
        ({"GATEWAY_GRAPHIQL": "maybe"}, "GATEWAY_GRAPHIQL must be true or false"),
        ({"DB_POOL_MIN_SIZE": "5", "DB_POOL_MAX_SIZE": "2"}, "larger than DB_POOL_MAX_SIZE"),
        ({"GATEWAY_ENV": "production"}, "DATABASE_URL is required"),
        ({"GATEWAY_CORS_ORIGINS": "https://app.example.com/path"}, "GATEWAY_CORS_ORIGINS must list origins"),
        ({"GATEWAY_CORS_ORIGINS": "app.example.com"}, "GATEWAY_CORS_ORIGINS must list origins"),
        ({"GATEWAY_CORS_ORIGINS": "*, https://app.example.com"}, "GATEWAY_CORS_ORIGINS must list origins"),
    ],
)
def test_bad_values_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)


def test_cors_origins_are_a_list_or_any() -> None:
    assert Settings.from_env({}).cors_origins == ()
    listed = Settings.from_env({"GATEWAY_CORS_ORIGINS": "https://app.example.com, http://localhost:5173"})
    assert listed.cors_origins == ("https://app.example.com", "http://localhost:5173")
    assert Settings.from_env({"GATEWAY_CORS_ORIGINS": "*"}).cors_origins == ("*",)
