"""Browser pages: the self-hosted GraphiQL (GET /graphql), the dashboard (/ and /dashboard), /static/...

Every asset is served by the gateway itself (GraphiQL, React and the explorer plugin are vendored under
`static/graphiql/vendor/`, see its README), so the pages work on a closed network and under a strict
Content-Security-Policy: no external origin, no inline script, no eval, no inline style (but one, by its
hash, on GraphiQL's page). GraphiQL and its assets follow `settings.graphiql` (off in production). The
dashboard stays on: it is only a client of the public API with a key the user pastes, and shows nothing
without one.
"""

from __future__ import annotations

import functools
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).resolve().parent / "static"

# The pages need nothing beyond their own origin: no inline script, no eval. `data:` is allowed for fonts and
# images only: graphiql.min.css embeds its fonts (Roboto, Fira Code) and a few icons as data: URLs.
_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_POLICY)
# GraphiQL's dialogs (settings, shortcuts) lock the page's scrolling with one <style> element that
# react-remove-scroll-bar inserts; with graphiql.css (no margin, no scrollbar) its text is always the same,
# so that one text is allowed by its hash, and no other inline style.
GRAPHIQL_SCROLL_LOCK_STYLE = "'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='"
GRAPHIQL_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", f"style-src 'self' {GRAPHIQL_SCROLL_LOCK_STYLE}"
)
_SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-cache",
}
PAGE_HEADERS = {"content-security-policy": CONTENT_SECURITY_POLICY, **_SECURITY_HEADERS}
GRAPHIQL_HEADERS = {"content-security-policy": GRAPHIQL_CONTENT_SECURITY_POLICY, **_SECURITY_HEADERS}


@functools.cache
def _page(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def graphiql_page(extra_headers: dict[str, str] | None = None) -> Response:
    """The GraphiQL page (the caller checks `settings.graphiql`)."""
    return HTMLResponse(_page("graphiql/graphiql.html"), headers={**GRAPHIQL_HEADERS, **(extra_headers or {})})


async def dashboard(request: Request) -> Response:
    return HTMLResponse(_page("dashboard/index.html"), headers=PAGE_HEADERS)


class _Assets:
    """Static files with the pages' security headers, gzip, and (for GraphiQL's) a 404 when it is off."""

    def __init__(self, directory: Path, *, graphiql: bool) -> None:
        self.graphiql = graphiql
        self.files: ASGIApp = GZipMiddleware(StaticFiles(directory=directory), minimum_size=1024, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.graphiql and not scope["app"].state.settings.graphiql:
            await PlainTextResponse("GraphiQL is turned off", status_code=404)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in PAGE_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.files(scope, receive, send_with_headers)


def page_routes() -> list[BaseRoute]:
    """The dashboard and the static assets (GraphiQL's own page is GET /graphql, in graphql_http)."""
    return [
        Route("/", dashboard, methods=["GET"]),
        Route("/dashboard", dashboard, methods=["GET"]),
        Mount("/static/graphiql", app=_Assets(STATIC_DIR / "graphiql", graphiql=True)),
        Mount("/static/dashboard", app=_Assets(STATIC_DIR / "dashboard", graphiql=False)),
    ]
