"""POST/GET /graphql: parse the request, authenticate, execute, and answer in JSON."""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from gateway.auth import bearer_token
from gateway.context import build_context
from gateway.errors import format_error
from gateway.responses import OrjsonResponse, error_response
from loaders.api_keys import find_principal
from schema.limits import MAX_QUERY_CHARACTERS

log = logging.getLogger("gateway.graphql")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_JSON_TYPES = ("application/json", "application/graphql-response+json")
MAX_BODY_BYTES = 2 * 1024 * 1024


class BadRequest(Exception):
    """The HTTP request is not a GraphQL request we can run (HTTP 400)."""

    code = "BAD_USER_INPUT"


class QueryTooLarge(BadRequest):
    code = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


def request_id_of(request: Request) -> str:
    supplied = request.headers.get("x-request-id", "")
    return supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex


def _graphql_request(payload: Any) -> GraphQLRequest:
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
            variables = orjson.loads(variables)
        except orjson.JSONDecodeError:
            raise BadRequest("`variables` is not valid JSON") from None
    if variables in ("", None):
        variables = None
    elif not isinstance(variables, dict):
        raise BadRequest("`variables` must be a JSON object")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("`operationName` must be a string")
    return GraphQLRequest(query=query, variables=variables, operation_name=operation_name or None)


async def _read_post(request: Request) -> GraphQLRequest:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in _JSON_TYPES:
        raise BadRequest("POST /graphql needs `Content-Type: application/json`")
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise BadRequest(f"The body is larger than {MAX_BODY_BYTES} bytes")
    if not body.strip():
        raise BadRequest("The body is empty")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise BadRequest("The body is not valid JSON (UTF-8)") from None
    if b"\\u0000" in body:
        raise BadRequest("NUL characters are not allowed in queries or variables")
    return _graphql_request(payload)


def _wants_ide(request: Request) -> bool:
    return "query" not in request.query_params and "text/html" in request.headers.get("accept", "")


async def graphql_endpoint(request: Request) -> Response:
    state = request.app.state
    request_id = request_id_of(request)
    headers = {"x-request-id": request_id}
    if request.method == "GET" and _wants_ide(request):
        if not state.settings.graphiql:
            return error_response(404, "GraphiQL is turned off", "NOT_FOUND", headers)
        return HTMLResponse(get_graphql_ide_html("graphiql"), headers=headers)
    try:
        if request.method == "POST":
            graphql_request = await _read_post(request)
            allowed = {OperationType.QUERY, OperationType.MUTATION}
        else:
            if "\x00" in str(request.query_params):
                raise BadRequest("NUL characters are not allowed in queries or variables")
            graphql_request = _graphql_request(dict(request.query_params))
            allowed = {OperationType.QUERY}
    except BadRequest as error:
        return error_response(400, str(error), error.code, headers)

    token = bearer_token(request.headers.get("authorization"))
    principal = await find_principal(state.pool, token) if token else None
    if principal is None:
        message = "A valid API key is required: `Authorization: Bearer <key>`"
        return error_response(401, message, "UNAUTHENTICATED", {**headers, "www-authenticate": "Bearer"})

    context = build_context(request_id, principal, state.settings, state.pool)
    committed = False
    try:
        result = await state.schema.execute(
            graphql_request.query,
            variable_values=graphql_request.variables,
            context_value=context,
            operation_name=graphql_request.operation_name,
            allowed_operation_types=allowed,
        )
        committed = True
    except InvalidOperationTypeError as error:
        if error.operation_type == OperationType.MUTATION:
            return error_response(405, "Mutations are only run by POST", "BAD_USER_INPUT", {**headers, "allow": "POST"})
        return error_response(400, "Only queries and mutations are served here", "BAD_USER_INPUT", headers)
    except CannotGetOperationTypeError:
        message = "Name the operation to run with `operationName`; the document has several or none by that name"
        return error_response(400, message, "BAD_USER_INPUT", headers)
    finally:
        await context.db.close(commit=committed)

    body: dict[str, Any] = {}
    if result.errors:
        suggestions = not state.settings.production
        body["errors"] = [format_error(error, request_id, suggestions=suggestions) for error in result.errors]
    body["data"] = result.data
    if not state.settings.production:
        headers["x-sql-statements"] = str(context.db.statements)
    return OrjsonResponse(body, headers=headers)
