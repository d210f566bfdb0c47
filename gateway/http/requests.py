"""Reading a GraphQL request from HTTP: the body within its size, JSON with one value per key, the parameters.

A POST body is refused at its declared `Content-Length`, or while it streams past the limit, before it is
held whole; a JSON object naming a key twice is ambiguous (which `query` runs?) and refused; `variables` is
an object (or the JSON text of one); no text in it holds a NUL or a lone surrogate (`values.unstorable_text`).
Every refusal is a `BadRequest` saying what is wrong.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request

from resolvers.errors import ErrorCode
from resolvers.values import unstorable_text
from schema.limits import MAX_QUERY_CHARACTERS

JSON_TYPES = ("application/json", "application/graphql-response+json")
MAX_BODY_BYTES = 2 * 1024 * 1024


class BadRequest(Exception):
    """The HTTP request is not a GraphQL request we can run (HTTP 400, or `status`)."""

    code = ErrorCode.BAD_USER_INPUT
    status = 400


class QueryTooLarge(BadRequest):
    code = ErrorCode.QUERY_TOO_COMPLEX


class ClientGone(Exception):
    """The client disconnected before it sent its whole request."""


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


async def read_post(request: Request) -> GraphQLRequest:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in JSON_TYPES:
        raise BadRequest("POST /graphql needs `Content-Type: application/json`")
    body = await _body(request)
    if not body.strip():
        raise BadRequest("The body is empty")
    try:
        payload = json.loads(body, object_pairs_hook=_one_value_per_key, parse_constant=_no_constant)
    except (ValueError, RecursionError) as error:
        message = str(error) if isinstance(error, _DuplicateKey) else "The body is not valid JSON (UTF-8)"
        raise BadRequest(message) from None
    return graphql_request(payload)


def read_get(request: Request) -> GraphQLRequest:
    return graphql_request(dict(request.query_params))


def graphql_request(payload: Any) -> GraphQLRequest:
    """The GraphQL parameters of a request. `variables` is an object, or JSON text of one (as a query string
    carries it)."""
    if isinstance(payload, list):
        raise BadRequest("Batched operations are not supported; send one operation per request")
    if not isinstance(payload, dict):
        raise BadRequest("The body must be a JSON object with a `query`")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("`query` must be a non-empty string")
    if len(query) > MAX_QUERY_CHARACTERS:
        raise QueryTooLarge(f"The query has {len(query)} characters; at most {MAX_QUERY_CHARACTERS} are allowed")
    variables = payload.get("variables")
    if isinstance(variables, str) and variables.strip():
        try:
            variables = json.loads(variables, object_pairs_hook=_one_value_per_key, parse_constant=_no_constant)
        except ValueError:
            shown = variables if len(variables) <= 40 else variables[:37] + "..."
            raise BadRequest(f"`variables` must be a JSON object; the string {shown!r} is not valid JSON") from None
    if variables in ("", None):
        variables = None
    elif not isinstance(variables, dict):
        raise BadRequest("`variables` must be a JSON object (or null)")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("`operationName` must be a string")
    _refuse_unstorable_text({"query": query, "operationName": operation_name, "variables": variables})
    return GraphQLRequest(query=query, variables=variables, operation_name=operation_name or None)


def _refuse_unstorable_text(payload: dict[str, Any]) -> None:
    """Every string and key of the request, walked without recursion (JSON nests as deep as it likes)."""
    pending: list[tuple[str, Any]] = list(payload.items())
    while pending:
        where, value = pending.pop()
        if isinstance(value, str):
            texts = [value]
        elif isinstance(value, dict):
            texts = list(value)
            pending.extend((f"{where}.{key}", inner) for key, inner in value.items())
        elif isinstance(value, list):
            texts = []
            pending.extend((f"{where}[{index}]", inner) for index, inner in enumerate(value))
        else:
            continue
        for text in texts:
            reason = unstorable_text(text)
            if reason is not None:
                shown = where.encode("utf-8", "backslashreplace").decode()[:200]
                raise BadRequest(f"{reason}, in `{shown}`")


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BadRequest(f"The body is larger than {MAX_BODY_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise BadRequest(f"The body is larger than {MAX_BODY_BYTES} bytes")
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientGone from None
    return b"".join(chunks)


class _DuplicateKey(ValueError):
    pass


def _one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        twice = next(key for key, count in Counter(key for key, _ in pairs).items() if count > 1)
        raise _DuplicateKey(f"The body names {twice!r} more than once in one object: send each key once")
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
