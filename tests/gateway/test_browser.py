"""The browser pages, in headless Chromium against a real gateway: self-hosted GraphiQL and the dashboard.

The gateway runs in uvicorn on a free 127.0.0.1 port (a thread) over the test database, through the
row-level-security role. Every request of the browser to another host is blocked and counted: the pages
must need nothing but the gateway. Screenshots go to test-artifacts/ (graphiql.png, dashboard.png, ...).

Chromium is Debian's (/usr/bin/chromium, installed by .ci/run), driven by Playwright for Python. Without
it these tests fail; `SKIP_BROWSER_TESTS=1` skips them on a machine that cannot have it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from playwright.async_api import expect

from gateway.http.app import create_app
from gateway.http.pages import CONTENT_SECURITY_POLICY, GRAPHIQL_CONTENT_SECURITY_POLICY, STATIC_DIR
from gateway.operations.database import SERVING_ROLE, url_with
from loaders.api_keys import create_key
from tests.factories.affiliations import make_affiliation
from tests.factories.catalog import make_affiliate, make_buyer
from tests.factories.finance import make_entry, make_receipt
from tests.factories.lost_sales import make_lost_sale
from tests.factories.producers import Seller, make_seller
from tests.factories.refunds import make_refund
from tests.factories.sales import bulk_sales, make_sale
from tests.factories.subscriptions import make_subscription
from tests.processes import SALES_GATEWAY, gateway_in_thread, serve_environment
from tests.settings import gateway_settings

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 30_000

MONEY = "{ amount currency }"
API_CARD = f"""
query ApiCard($from: Date!, $to: Date!) {{
  viewer {{ defaultCurrency }}
  salesManagement {{
    period {{ from to }}
    sales {{ currency count grossRevenue {MONEY} netRevenue {MONEY} }}
    lostSales {{ count recoveredCount potentialRevenue {MONEY} }}
  }}
  sales {{ totalCount }}
  open: lostSales(filter: {{ recovered: false }}) {{ totalCount }}
  recovered: lostSales(filter: {{ recovered: true }}) {{ totalCount }}
  balances {{ currency available {MONEY} total {MONEY} }}
  receipts {{ totalCount }}
  pendingReceipts: receipts(filter: {{ status: [PENDING] }}) {{ totalCount }}
  refunds {{ totalCount }}
  requestedRefunds: refunds(filter: {{ status: [REQUESTED] }}) {{ totalCount }}
  subscriptionSummary {{ active new cancelled monthlyRecurringRevenue {MONEY} }}
  strategies {{ title }}
  affiliations {{ totalCount }}
  pendingAffiliations: affiliations(filter: {{ status: [PENDING] }}) {{ totalCount }}
  reports {{ revenueOverTime(period: {{ from: $from, to: $to }}, bucket: DAY) {{ start sales grossRevenue {MONEY} }} }}
}}
"""
PERIOD_ONLY = "{ salesManagement { period { from to } } }"
RESPONSE_TEXT = "document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue()"


# ---- the gateway, served for real --------------------------------------------------------------------


@pytest.fixture(scope="module")
def gateway_url(database_url: str) -> Iterator[str]:
    """A real gateway (uvicorn, in a thread with its own event loop) over the test database."""
    with gateway_in_thread(database_url, "browser-test-gateway") as url:
        yield url


async def api(base: str, key: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {key}"}
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# ---- the browser -------------------------------------------------------------------------------------


@dataclass
class Watch:
    """What a page asked for beyond the gateway, and what went wrong in it."""

    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


async def open_page(browser: Any, gateway_url: str) -> tuple[Any, Any, Watch]:
    """A fresh context (no storage) whose requests to anything but the gateway are aborted and recorded."""
    watch = Watch()
    origin = urlsplit(gateway_url).netloc
    context = await browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)

    async def gatekeeper(route: Any) -> None:
        if urlsplit(route.request.url).netloc == origin:
            await route.continue_()
        else:
            watch.blocked.append(route.request.url)
            await route.abort()

    await context.route(re.compile(r"^(?!data:).*"), gatekeeper)
    await context.add_init_script(VIOLATIONS)
    page = await context.new_page()

    def websocket_opened(socket: Any) -> None:
        if urlsplit(socket.url).netloc != origin:  # the dashboard's live feed is the gateway's own
            watch.blocked.append(socket.url)

    page.on("websocket", websocket_opened)
    page.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))
    page.on("console", lambda message: message.type == "error" and watch.errors.append(f"console: {message.text}"))
    return context, page, watch


async def csp_violations(page: Any) -> list[str]:
    violations: list[str] = await page.evaluate("window.__cspViolations")
    return violations


def screenshot_path(name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / name)


# ---- data ----------------------------------------------------------------------------------------------


async def make_busy_seller(connection: asyncpg.Connection) -> Seller:
    """A seller with something in every section: sales in BRL and USD over 30 days, lost sales, balance,
    receipts, refunds to decide, subscriptions and affiliations."""
    seller = await make_seller(connection)
    now = datetime.now(UTC)
    await bulk_sales(connection, seller, 240, base=now - timedelta(minutes=30))
    for days_ago, gross, currency in ((9, "497.00", "BRL"), (17, "1250.00", "BRL"), (24, "89.90", "USD")):
        await make_sale(connection, seller, created_at=now - timedelta(days=days_ago), gross=gross, currency=currency)
    refundable = await make_sale(connection, seller, created_at=now - timedelta(days=2), gross="197.00")
    await make_refund(connection, seller, sale_id=refundable, requested_at=now - timedelta(days=1), status="REQUESTED")
    for hours_ago, amount, currency in ((5, "297.00", "BRL"), (30, "49.00", "USD"), (70, "97.00", "BRL")):
        buyer = await make_buyer(connection, seller.id)
        await make_lost_sale(
            connection,
            seller,
            created_at=now - timedelta(hours=hours_ago),
            amount=amount,
            currency=currency,
            buyer_id=buyer,
            reason="PIX_EXPIRED",
        )
    await make_entry(connection, seller, kind="SALE", amount="1840.25", occurred_at=now - timedelta(days=20))
    await make_entry(
        connection,
        seller,
        kind="SALE",
        amount="310.40",
        occurred_at=now - timedelta(days=1),
        available_at=now + timedelta(days=13),
    )
    await make_entry(connection, seller, kind="SALE", amount="120.00", currency="USD", occurred_at=now - timedelta(10))
    affiliate = await make_affiliate(connection, seller.id)
    today = now.date()
    for status in ("PENDING", "PENDING", "ACCEPTED"):
        await make_receipt(
            connection,
            seller,
            affiliate_id=affiliate,
            issued_at=now - timedelta(days=3),
            period_from=today - timedelta(days=30),
            period_to=today - timedelta(days=1),
            status=status,
        )
    await make_subscription(connection, seller, started_at=now - timedelta(days=3), price="49.90")
    await make_affiliation(
        connection, seller.id, affiliate_id=affiliate, product_id=seller.product_id, applied_at=now, status="PENDING"
    )
    return seller


@pytest.fixture(scope="module")
async def busy_seller(database_url: str) -> Seller:
    connection = await asyncpg.connect(database_url)
    try:
        return await make_busy_seller(connection)
    finally:
        await connection.close()


def _money(value: dict[str, str]) -> tuple[str, str]:
    return value["currency"], value["amount"]


# ---- tests without a browser ---------------------------------------------------------------------------


async def test_pages_are_served_with_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    pages = (
        ("/graphql", "text/html", GRAPHIQL_CONTENT_SECURITY_POLICY),
        ("/", "text/html", CONTENT_SECURITY_POLICY),
        ("/dashboard", "*/*", CONTENT_SECURITY_POLICY),
    )
    for path, accept, policy in pages:
        response = await client.get(path, headers={"accept": accept})
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert not re.search(r"(https?:)?//[a-z]", response.text), f"{path} names an external URL"
    for policy in (CONTENT_SECURITY_POLICY, GRAPHIQL_CONTENT_SECURITY_POLICY):
        assert "default-src 'self';" in policy
        assert "'unsafe-inline'" not in policy
        assert "'unsafe-eval'" not in policy
        assert "http" not in policy
    asset = await client.get("/static/graphiql/vendor/graphiql.min.js", headers={"accept-encoding": "gzip"})
    assert asset.status_code == 200
    assert asset.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert asset.headers["content-encoding"] == "gzip"
    assert (await client.get("/static/dashboard/dashboard.js")).status_code == 200


async def test_graphiql_and_its_assets_are_off_in_production(database_url: str) -> None:
    settings = gateway_settings({"GATEWAY_ENV": "production", "DATABASE_URL": database_url})
    app = create_app(settings, url_with(database_url, user=SERVING_ROLE))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test") as http:
        assert (await http.get("/graphql", headers={"accept": "text/html"})).status_code == 404
        assert (await http.get("/static/graphiql/vendor/graphiql.min.js")).status_code == 404
        assert (await http.get("/static/graphiql/graphiql.js")).status_code == 404
        # the dashboard is only a client of the public API: it stays
        assert (await http.get("/")).status_code == 200
        assert (await http.get("/static/dashboard/dashboard.js")).status_code == 200


async def test_every_graphiql_example_runs(client: httpx.AsyncClient, busy_seller: Seller) -> None:
    examples = json.loads((STATIC_DIR / "graphiql" / "examples.json").read_text())["examples"]
    sections = [example["section"] for example in examples]
    assert sections == [
        "Sales Management",
        "My Sales",
        "Balance",
        "Receipts",
        "Refunds",
        "Subscriptions",
        "Strategies",
        "Affiliations",
        "Reports",
        "Recover sales",
    ]
    today = date.today()
    period = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
    for example in examples:
        variables = {
            name: period if value == "LAST_30_DAYS" else value for name, value in example.get("variables", {}).items()
        }
        response = await client.post(
            "/graphql",
            json={"query": example["query"], "variables": variables},
            headers={"authorization": f"Bearer {busy_seller.key}"},
        )
        body = response.json()
        assert response.status_code == 200, (example["section"], body)
        assert "errors" not in body, (example["section"], body["errors"])


def test_vendored_graphiql_has_its_licenses_and_provenance() -> None:
    folder = STATIC_DIR / "graphiql"
    readme = (folder / "README.md").read_text()
    for name in ("graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js"):
        assert (folder / "vendor" / name).stat().st_size > 1000
        assert name in (folder / "licenses" / "SHA256SUMS").read_text()
    for package in ("graphiql@3.8.3", "@graphiql/plugin-explorer@3.2.5", "react@18.3.1", "react-dom@18.3.1"):
        assert package in readme
    assert "scripts/build_graphiql.sh" in readme
    for license_file in ("graphiql", "react", "react-dom", "graphiql-plugin-explorer"):
        assert "MIT License" in (folder / "licenses" / f"{license_file}.LICENSE").read_text()
    assert "codemirror@" in (folder / "licenses" / "THIRD_PARTY_LICENSES.txt").read_text()


# ---- GraphiQL in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
async def test_graphiql_loads_offline_runs_a_query_and_shows_the_result(
    browser: Any, gateway_url: str, busy_seller: Seller
) -> None:
    context, page, watch = await open_page(browser, gateway_url)
    try:
        await page.goto(f"{gateway_url}/graphql")
        await page.locator(".graphiql-container").wait_for()
        await page.locator(".graphiql-query-editor .CodeMirror").wait_for()
        titles = [title.strip() for title in await page.locator(".graphiql-tab").all_inner_texts()]
        assert titles == [
            "SalesManagement",
            "MySales",
            "Balance",
            "Receipts",
            "Refunds",
            "Subscriptions",
            "Strategies",
            "Affiliations",
            "Reports",
            "RecoverSales",
        ]
        await page.wait_for_load_state("networkidle")
        assert watch.blocked == [], f"GraphiQL asked for something beyond the gateway: {watch.blocked}"

        # paste the key in the headers editor (open below the query), then run the first tab's query
        headers_editor = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
        await headers_editor.click()
        await page.keyboard.press("Control+A")
        await page.keyboard.insert_text(json.dumps({"Authorization": f"Bearer {busy_seller.key}"}, indent=2))
        # the explorer lists the root fields once the schema is fetched with the new key
        await page.locator(".graphiql-explorer-root", has_text="salesManagement").first.wait_for()
        await page.locator(".graphiql-execute-button").click()
        response_editor = page.locator(".graphiql-response .CodeMirror")
        await response_editor.get_by_text('"salesManagement"').first.wait_for()
        shown = json.loads(await page.evaluate(RESPONSE_TEXT))

        expected = await api(
            gateway_url,
            busy_seller.key,
            json.loads((STATIC_DIR / "graphiql" / "examples.json").read_text())["examples"][0]["query"],
        )
        shown["data"]["salesManagement"].pop("asOf")
        expected["data"]["salesManagement"].pop("asOf")
        assert shown == expected
        assert expected["data"]["salesManagement"]["sales"], "the seller has sales in the last 7 days"

        await page.screenshot(path=screenshot_path("graphiql.png"))
        assert watch.blocked == []
        assert await csp_violations(page) == []
        assert watch.errors == []

        # the key was pasted once: another example tab uses it too
        await page.locator(".graphiql-tab", has_text="Strategies").click()
        await page.locator(".graphiql-execute-button").click()
        await response_editor.get_by_text('"strategies"').first.wait_for()
        strategies = json.loads(await page.evaluate(RESPONSE_TEXT))
        assert "errors" not in strategies
        assert strategies["data"]["strategies"], "the busy seller has recommendations"

        # the dialogs work under the policy (their one inline <style> is allowed by its hash)
        for dialog in ("Open settings dialog", "Open short keys dialog"):
            await page.get_by_label(dialog).click()
            await page.get_by_role("dialog").wait_for()
            await page.keyboard.press("Escape")
            await page.get_by_role("dialog").wait_for(state="detached")
        assert await csp_violations(page) == []
        # react-remove-scroll-bar says (console.error) that GraphiQL's page has no scrollbar to measure
        assert [error for error in watch.errors if "react-remove-scroll-bar" not in error] == []
    finally:
        await context.close()


# ---- the dashboard in the browser ---------------------------------------------------------------------


async def open_dashboard(browser: Any, gateway_url: str, key: str) -> tuple[Any, Any, Watch]:
    context, page, watch = await open_page(browser, gateway_url)
    await page.goto(f"{gateway_url}/")
    await page.locator("body[data-state=key]").wait_for()
    await page.get_by_test_id("key-input").fill(key)
    await page.get_by_test_id("key-submit").click()
    await page.locator("body[data-state=ready]").wait_for()
    return context, page, watch


async def card_figure(page: Any, section: str) -> str:
    value: str = await page.get_by_test_id(f"card-{section}").locator(".figure-main").first.get_attribute("data-value")
    return value


async def money_in(locator: Any) -> list[tuple[str, str]]:
    values: list[tuple[str, str]] = await locator.evaluate_all(
        "nodes => nodes.map(node => [node.dataset.currency, node.dataset.amount])"
    )
    return [(currency, amount) for currency, amount in values]


@pytest.mark.browser
async def test_dashboard_shows_what_the_api_returns(browser: Any, gateway_url: str, busy_seller: Seller) -> None:
    context, page, watch = await open_dashboard(browser, gateway_url, busy_seller.key)
    try:
        period = (await api(gateway_url, busy_seller.key, PERIOD_ONLY))["data"]["salesManagement"]["period"]
        last = date.fromisoformat(period["to"])
        chart_from = (last - timedelta(days=29)).isoformat()
        body = await api(gateway_url, busy_seller.key, API_CARD, {"from": chart_from, "to": period["to"]})
        assert "errors" not in body, body["errors"]
        data = body["data"]
        card = data["salesManagement"]
        assert len(card["sales"]) == 2, "the seller sells in BRL and USD"

        # the Sales Management card, one row per currency
        rows = page.get_by_test_id("sales-row")
        shown_rows = {}
        for index in range(await rows.count()):
            row = rows.nth(index)
            shown_rows[await row.get_attribute("data-currency")] = (
                await row.get_by_test_id("sales-count").inner_text(),
                _money_of(await money_in(row.get_by_test_id("gross-revenue"))),
                _money_of(await money_in(row.get_by_test_id("net-revenue"))),
            )
        assert shown_rows == {
            row["currency"]: (f"{row['count']:,}", _money(row["grossRevenue"]), _money(row["netRevenue"]))
            for row in card["sales"]
        }
        assert await page.get_by_test_id("empty-state").is_hidden()
        assert await page.get_by_test_id("period").get_attribute("data-from") == card["period"]["from"]
        assert await page.get_by_test_id("period").get_attribute("data-to") == card["period"]["to"]

        lost = card["lostSales"]
        assert await page.locator("#lost-count").get_attribute("data-count") == str(lost["count"])
        assert await page.get_by_test_id("lost-sales-recovered").get_attribute("data-count") == str(
            lost["recoveredCount"]
        )
        assert await money_in(page.get_by_test_id("lost-potential")) == [
            _money(value) for value in lost["potentialRevenue"]
        ]

        # the section cards' key figures
        assert await card_figure(page, "my-sales") == str(data["sales"]["totalCount"])
        assert await money_in(page.get_by_test_id("balance-available")) == [
            _money(balance["available"]) for balance in data["balances"]
        ]
        assert await money_in(page.get_by_test_id("balance-total")) == [
            _money(balance["total"]) for balance in data["balances"]
        ]
        assert await card_figure(page, "receipts") == str(data["pendingReceipts"]["totalCount"])
        assert await card_figure(page, "refunds") == str(data["requestedRefunds"]["totalCount"])
        assert await card_figure(page, "subscriptions") == str(data["subscriptionSummary"]["active"])
        assert await money_in(page.get_by_test_id("mrr")) == [
            _money(value) for value in data["subscriptionSummary"]["monthlyRecurringRevenue"]
        ]
        assert await card_figure(page, "strategies") == str(len(data["strategies"]))
        assert await card_figure(page, "affiliations") == str(data["pendingAffiliations"]["totalCount"])
        assert await card_figure(page, "recover-sales") == str(data["open"]["totalCount"])
        points = data["reports"]["revenueOverTime"]
        assert await card_figure(page, "reports") == str(sum(point["sales"] for point in points))
        assert int(await card_figure(page, "receipts")) == 2
        assert int(await card_figure(page, "refunds")) == 1

        # the chart: one bar per day of the 30 days ending today, in the seller's default currency
        currency = data["viewer"]["defaultCurrency"]
        bars = await page.get_by_test_id("chart-bar").evaluate_all(
            "bars => bars.map(bar => [bar.dataset.day, bar.dataset.amount, Number(bar.dataset.sales)])"
        )
        assert [tuple(bar) for bar in bars] == [
            (point["start"], point["grossRevenue"]["amount"], point["sales"])
            for point in points
            if point["grossRevenue"]["currency"] == currency
        ]
        assert len(bars) == 30
        switch = await page.get_by_test_id("chart-currency").all_inner_texts()
        assert switch == sorted({point["grossRevenue"]["currency"] for point in points if point["sales"]})

        await page.screenshot(path=screenshot_path("dashboard.png"), full_page=True)

        # the lost sales link opens their list
        await page.get_by_test_id("lost-sales-link").click()
        await page.locator("[data-testid=lost-sales-list][data-state=ready]").wait_for()
        assert await page.get_by_test_id("lost-sale-row").count() == min(20, data["open"]["totalCount"])
        await page.get_by_test_id("lost-sales-list").screenshot(path=screenshot_path("dashboard-lost-sales.png"))

        # the key is in session storage, never in the URL
        assert busy_seller.key not in page.url
        assert await page.evaluate("sessionStorage.getItem('sales-gateway.api-key')") == busy_seller.key
        assert await page.evaluate("localStorage.length") == 0

        assert watch.blocked == [], f"the dashboard asked for something beyond the gateway: {watch.blocked}"
        assert await csp_violations(page) == []
        assert watch.errors == []
    finally:
        await context.close()


def _money_of(values: list[tuple[str, str]]) -> tuple[str, str]:
    assert len(values) == 1, values
    return values[0]


@pytest.mark.browser
async def test_dashboard_empty_state_and_a_key_without_some_scopes(
    browser: Any, gateway_url: str, database_url: str
) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        quiet = await make_seller(connection)
        narrow = await make_busy_seller(connection)
        sales_only = (await create_key(connection, narrow.id, name="sales only", scopes=["sales:read"])).secret
    finally:
        await connection.close()

    context, page, watch = await open_dashboard(browser, gateway_url, quiet.key)
    try:
        await page.get_by_test_id("empty-state").wait_for()
        assert await page.get_by_test_id("sales-row").count() == 0
        await page.screenshot(path=screenshot_path("dashboard-empty.png"), full_page=True)
        assert watch.blocked == []
        assert watch.errors == []
    finally:
        await context.close()

    context, page, watch = await open_dashboard(browser, gateway_url, sales_only)
    try:
        assert await page.get_by_test_id("sales-row").count() == 2
        forbidden = ["balance", "receipts", "refunds", "subscriptions", "strategies", "affiliations", "reports"]
        for section in forbidden:
            card = page.get_by_test_id(f"card-{section}")
            assert await card.get_attribute("data-state") == "forbidden", section
            assert "Not allowed with this key" in await card.inner_text()
        for section in ("my-sales", "recover-sales"):
            assert await page.get_by_test_id(f"card-{section}").get_attribute("data-state") == "ready"
        assert "Not allowed with this key" in await page.get_by_test_id("chart-forbidden").inner_text()
        await page.screenshot(path=screenshot_path("dashboard-sales-only-key.png"), full_page=True)
        # FORBIDDEN answers are expected here: the console may show nothing else
        assert watch.blocked == []
    finally:
        await context.close()

    context, page, watch = await open_page(browser, gateway_url)
    try:
        await page.goto(f"{gateway_url}/dashboard")
        await page.get_by_test_id("key-input").fill("sgk_not_a_key")
        await page.get_by_test_id("key-submit").click()
        message = page.get_by_test_id("key-message")
        await message.wait_for()
        assert "not accepted" in await message.inner_text()
        await page.screenshot(path=screenshot_path("dashboard-key.png"))
        assert await page.evaluate("sessionStorage.getItem('sales-gateway.api-key')") is None
    finally:
        await context.close()


@pytest.mark.browser
async def test_dashboard_figures_change_when_the_checkout_sells_without_a_reload(
    browser: Any, gateway_url: str, database_url: str, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    context, page, watch = await open_dashboard(browser, gateway_url, seller.key)
    try:
        await page.locator("[data-testid=live][data-state=live]").wait_for()
        assert await card_figure(page, "my-sales") == "0"
        await page.evaluate("window.__sameDocument = true")
        simulated = await asyncio.create_subprocess_exec(
            SALES_GATEWAY, "simulate", "--producer", str(seller.id), "--sales", "3", "--rate", "0", "--seed", "3",
            env=serve_environment(DATABASE_URL=database_url, LOG_LEVEL="WARNING"), stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, stderr = await simulated.communicate()
        assert simulated.returncode == 0, stderr.decode()
        figure = page.get_by_test_id("card-my-sales").locator(".figure-main").first
        await expect(figure).to_have_attribute("data-value", "3", timeout=TIMEOUT_MS)
        assert await page.evaluate("window.__sameDocument") is True  # the page was not loaded again
        assert await page.get_by_test_id("live").inner_text() == "Live"
        assert watch.blocked == []
        assert watch.errors == []
    finally:
        await context.close()
