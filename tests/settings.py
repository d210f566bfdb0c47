"""The gateway's settings as the tests run it: its defaults, but a cost budget no test run spends (tests of the
budget itself set their own), and no webhook worker in the tests' own apps (the webhook tests run
`sales-gateway worker`)."""

from __future__ import annotations

from gateway.operations.settings import Settings

ROOMY_COST_BUDGET = {"GATEWAY_COST_BUCKET_SIZE": "100000000", "GATEWAY_COST_RESTORE_RATE": "100000000"}


NO_WEBHOOK_WORKER = {"GATEWAY_WEBHOOK_WORKER": "off"}


def gateway_settings(environ: dict[str, str] | None = None) -> Settings:
    """`Settings.from_env(environ)` over a roomy cost budget, without a webhook worker."""
    return Settings.from_env(ROOMY_COST_BUDGET | NO_WEBHOOK_WORKER | (environ or {}))
