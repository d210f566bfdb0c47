"""JSON responses written with orjson, and GraphQL error bodies with a stable code."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


class OrjsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def error_body(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def error_response(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> OrjsonResponse:
    """A GraphQL-shaped error for failures before execution (bad request, bad key)."""
    return OrjsonResponse(error_body(message, code), status_code=status, headers=headers)
