"""Errors the API reports on purpose, each with a stable `extensions.code`; anything else is masked."""

from __future__ import annotations

import enum
from typing import ClassVar


class ErrorCode(enum.StrEnum):
    """Every `extensions.code` of a GraphQL error this API answers with."""

    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    MAX_COST_EXCEEDED = "MAX_COST_EXCEEDED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_ALLOWED = "PERSISTED_QUERY_NOT_ALLOWED"
    THROTTLED = "THROTTLED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL = "INTERNAL"


class ApiError(Exception):
    """An error whose message is meant for the client; anything else is masked as INTERNAL."""

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthenticated(ApiError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(ApiError):
    code = ErrorCode.FORBIDDEN


class BadUserInput(ApiError):
    code = ErrorCode.BAD_USER_INPUT


class MissingRowError(LookupError):
    """A row that a foreign key promises is not visible: a bug or a broken tenant boundary (INTERNAL)."""
