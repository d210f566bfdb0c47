"""Reading a GraphQL request from HTTP: the body within its size, JSON with one value per key, the parameters.

A POST body is refused at its declared `Content-Length`, or while it streams past the limit, before it is
held whole; a JSON object naming a key twice is ambiguous (which `query` runs?) and refused; `variables` and
`extensions` are objects (or the JSON text of one); no text in it holds a NUL or a lone surrogate
(`values.unstorable_text`). The query may be left out when `extensions.persistedQuery` names it by its hash
(Apollo's automatic persisted queries: `gateway/http/persisted.py` finds it). Every refusal is a `BadRequest`
saying what is wrong.
"""

from __future__ import annotations

import json
import re
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
    """What to run: the query's text, its variables, the operation."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


@dataclass(frozen=True, slots=True)
class ReceivedRequest:
    """What the client sent: the query's text, or only its hash (`persisted_hash`), or both."""

    query: str | None
    variables: dict[str, Any] | None
    operation_name: str | None
    persisted_hash: str | None = None  # `extensions.persistedQuery.sha256Hash`, 64 lowercase hex digits

    def with_query(self, query: str) -> GraphQLRequest:
        return GraphQLRequest(query=query, variables=self.variables, operation_name=self.operation_name)


async def read_post(request: Request) -> ReceivedRequest:
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


def read_get(request: Request) -> ReceivedRequest:
    return graphql_request(dict(request.query_params))


def graphql_request(payload: Any) -> ReceivedRequest:
    """The GraphQL parameters of a request. `variables` and `extensions` are objects, or JSON text of one (as a
    query string carries them)."""
    if isinstance(payload, list):
        raise BadRequest("Batched operations are not supported; send one operation per request")
    if not isinstance(payload, dict):
        raise BadRequest("The body must be a JSON object with a `query`")
    persisted_hash = _persisted_hash(_json_object(payload, "extensions"))
    query = payload.get("query")
    if query is None and persisted_hash is not None:
        pass  # named by its hash only
    elif not isinstance(query, str) or not query.strip():
        raise BadRequest("`query` must be a non-empty string")
    elif len(query) > MAX_QUERY_CHARACTERS:
        raise QueryTooLarge(f"The query has {len(query)} characters; at most {MAX_QUERY_CHARACTERS} are allowed")
    variables = _json_object(payload, "variables")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("`operationName` must be a string")
    _refuse_unstorable_text({"query": query, "operationName": operation_name, "variables": variables})
    return ReceivedRequest(query, variables, operation_name or None, persisted_hash)


def _json_object(payload: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The parameter `name`: an object, the JSON text of one, or nothing (absent, null, empty)."""
    value = payload.get(name)
    if isinstance(value, str) and value.strip():
        try:
            value = json.loads(value, object_pairs_hook=_one_value_per_key, parse_constant=_no_constant)
        except ValueError:
            shown = value if len(value) <= 40 else value[:37] + "..."
            raise BadRequest(f"`{name}` must be a JSON object; the string {shown!r} is not valid JSON") from None
    if value in ("", None):
        return None
    if not isinstance(value, dict):
        raise BadRequest(f"`{name}` must be a JSON object (or null)")
    return value


def _persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    """The SHA-256 of `extensions.persistedQuery` (Apollo's protocol, version 1), if the request names one."""
    persisted = (extensions or {}).get("persistedQuery")
    if persisted is None:
        return None
    if not isinstance(persisted, dict) or persisted.get("version") != 1:
        raise BadRequest('`extensions.persistedQuery` must be {"version": 1, "sha256Hash": "<64 hex digits>"}')
    sha256 = persisted.get("sha256Hash")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise BadRequest("`extensions.persistedQuery.sha256Hash` must be 64 lowercase hexadecimal digits")
    return sha256


_SHA256 = re.compile(r"[0-9a-f]{64}")


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
