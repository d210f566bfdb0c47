"""The browser the page tests drive: Debian's headless Chromium through Playwright for Python."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("SKIP_BROWSER_TESTS") == "1":
        pytest.skip(f"SKIP_BROWSER_TESTS=1: {reason}")
    pytest.fail(
        f"{reason}. The browser tests need Debian's Chromium at {CHROMIUM} (`apt-get install chromium`, as .ci/run "
        "does) and Playwright for Python (the `test` extra); set SKIP_BROWSER_TESTS=1 to skip them locally.",
        pytrace=False,
    )


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    if os.environ.get("SKIP_BROWSER_TESTS") == "1":
        pytest.skip("SKIP_BROWSER_TESTS=1")
    if not os.access(CHROMIUM, os.X_OK):
        _skip_or_fail(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _skip_or_fail("Playwright for Python is not installed")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()
