"""The gateway serves only through a role that row-level security holds: it refuses to start as one that
bypasses it."""

from __future__ import annotations

import pytest

from gateway.http.app import create_app
from tests.settings import gateway_settings


async def test_the_app_refuses_a_role_that_bypasses_rls(database_url: str) -> None:
    application = create_app(gateway_settings({}), database_url)  # the owner: a superuser here
    with pytest.raises(RuntimeError, match="refusing to serve"):
        async with application.router.lifespan_context(application):
            pass
