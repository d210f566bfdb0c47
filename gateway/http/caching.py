"""HTTP caching of the answers to GET queries: an entity tag from the body, and 304 when the client has it.

An answer depends on the key that asked (`Vary: Authorization`) and may be stale a moment later, so a cache may
keep it for that client only and must ask again each time (`Cache-Control: private, no-cache`); the asking is
cheap when nothing changed: the same body gives the same tag, and `If-None-Match` with it gets 304 and no body.
The tag is weak (`W/"..."`): the body may go out compressed or not, and both are the same answer.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

CACHE_CONTROL = "private, no-cache"


def entity_tag(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def revalidated(request: Request, response: Response) -> Response:
    """A GET answer with its tag and caching headers, or 304 when the client's `If-None-Match` names the tag."""
    if request.method != "GET" or response.status_code != 200:
        return response
    tag = entity_tag(bytes(response.body))
    if _matches(request.headers.get("if-none-match"), tag):
        headers = {"etag": tag, "cache-control": CACHE_CONTROL, "vary": "Authorization, Accept-Encoding"}
        if request_id := response.headers.get("x-request-id"):
            headers["x-request-id"] = request_id
        return Response(status_code=304, headers=headers)
    response.headers["etag"] = tag
    response.headers["cache-control"] = CACHE_CONTROL
    response.headers.add_vary_header("Authorization")
    return response


def _matches(if_none_match: str | None, tag: str) -> bool:
    """Whether `If-None-Match` names `tag` (weak comparison: W/ prefixes aside) or is `*`."""
    if not if_none_match:
        return False
    opaque = tag.removeprefix("W/")
    return any(
        candidate.strip() == "*" or candidate.strip().removeprefix("W/") == opaque
        for candidate in if_none_match.split(",")
    )
