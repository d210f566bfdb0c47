"""ASGI entry point for uvicorn workers: `uvicorn --factory gateway.operations.asgi:app_from_env`."""

from __future__ import annotations

from starlette.applications import Starlette

from gateway.http.app import create_app
from gateway.operations.memory import tune_garbage_collection
from gateway.operations.settings import Settings, SettingsError


def app_from_env() -> Starlette:
    """The app for an already migrated database named by `DATABASE_URL`."""
    settings = Settings.from_env()
    if settings.database_url is None:
        raise SettingsError("DATABASE_URL is required here; `sales-gateway serve` starts an embedded database")
    app = create_app(settings, settings.database_url)
    tune_garbage_collection(settings.gc_threshold)
    return app
