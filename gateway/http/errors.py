"""Turning execution errors into what the client sees: known codes kept, everything else masked."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg
from graphql import GraphQLError

from loaders.database import PoolExhausted
from resolvers.errors import ApiError, ErrorCode

log = logging.getLogger("gateway.http.errors")

INTERNAL_MESSAGE = "Internal server error"


# the database went away or is refusing work: the request may be retried
_UNAVAILABLE = (
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.exceptions.OperatorInterventionError,  # terminated backend, shutdown
    asyncpg.exceptions.ConnectionFailureError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # a connection broken in the middle of an operation
    OSError,
    TimeoutError,
)


def _known_failure(error: BaseException | None) -> tuple[ErrorCode, str] | None:
    """(code, message) for failures the client may be told about."""
    if isinstance(error, ApiError):
        return error.code, error.message
    if isinstance(error, PoolExhausted):
        return (
            ErrorCode.SERVICE_UNAVAILABLE,
            "The gateway is busy: no database connection was free in time; try again shortly",
        )
    if isinstance(error, asyncpg.QueryCanceledError):
        return ErrorCode.SERVICE_UNAVAILABLE, "The query took too long and was cancelled; try a narrower one"
    if isinstance(error, _UNAVAILABLE):
        return ErrorCode.SERVICE_UNAVAILABLE, "The database is not reachable right now; try again shortly"
    return None


def unavailable_reason(error: BaseException) -> str | None:
    """The client's message when `error` means the database cannot serve now, else None."""
    known = _known_failure(error)
    return known[1] if known is not None and known[0] == ErrorCode.SERVICE_UNAVAILABLE else None


def format_error(error: GraphQLError, request_id: str, *, suggestions: bool = True) -> dict[str, Any]:
    """The client's view of one error; unexpected ones are logged with the request id and masked.

    Without `suggestions` (production), "Did you mean ...?" hints about names in the schema are cut.
    """
    message = error.message if suggestions else error.message.split(" Did you mean")[0]
    formatted: dict[str, Any] = {"message": message}
    if error.locations:
        formatted["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path is not None:
        formatted["path"] = list(error.path)
    known = _known_failure(error.original_error)
    if known is not None:
        code, formatted["message"] = known
        if code == ErrorCode.SERVICE_UNAVAILABLE:
            log.warning("database unavailable (request %s): %r", request_id, error.original_error)
    elif error.path is None:
        # parsing, validation and variable coercion: the request itself is at fault
        code = (error.extensions or {}).get("code") or ErrorCode.BAD_USER_INPUT
        if error.message.endswith("tokens. Parsing aborted."):
            code = ErrorCode.QUERY_TOO_COMPLEX
    else:
        log.error(
            "unexpected error at %s (request %s)",
            ".".join(map(str, error.path)),
            request_id,
            exc_info=error.original_error or error,
        )
        code, formatted["message"] = ErrorCode.INTERNAL, INTERNAL_MESSAGE
    formatted["extensions"] = {"code": str(code)}
    return formatted
