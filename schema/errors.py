"""Errors the API reports on purpose, each with a stable `extensions.code`."""

from __future__ import annotations

from typing import ClassVar


class GatewayError(Exception):
    """An error whose message is meant for the client; anything else is masked as INTERNAL."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(GatewayError):
    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    code = "FORBIDDEN"


class NotFound(GatewayError):
    code = "NOT_FOUND"


class BadUserInput(GatewayError):
    code = "BAD_USER_INPUT"


class QueryTooComplex(GatewayError):
    code = "QUERY_TOO_COMPLEX"


class ServiceUnavailable(GatewayError):
    code = "SERVICE_UNAVAILABLE"


ERROR_CODES = (
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "QUERY_TOO_COMPLEX",
    "THROTTLED",
    "SERVICE_UNAVAILABLE",
    "INTERNAL",
)
