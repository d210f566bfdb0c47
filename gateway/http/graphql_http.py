"""POST/GET /graphql: parse the request, authenticate, execute, and answer in JSON."""

from __future__ import annotations

import contextlib
import logging
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from gateway.execution.executor import FastExecutor
from gateway.http.auth import KnownKeys, bearer_token
from gateway.http.caching import revalidated
from gateway.http.context import build_context
from gateway.http.errors import format_error, unavailable_reason
from gateway.http.media import GRAPHQL_RESPONSE, wants_graphql_response
from gateway.http.metrics import RequestRecord, record
from gateway.http.pages import graphiql_page
from gateway.http.persisted import PersistedQueryNotAllowed, PersistedQueryNotFound, query_of
from gateway.http.requests import BadRequest, ClientGone, GraphQLRequest, read_get, read_post
from gateway.http.responses import OrjsonResponse, error_body
from gateway.http.throttling import Charge, charge, cost_extension, rate_limit_headers
from gateway.operations.tracing import REQUEST_TRACING, Tracing
from loaders.api_keys import Principal, find_principal, hash_key, key_check_sql, looks_like_key
from loaders.database import KeyRevoked, PoolExhausted, acquire
from loaders.fairness import Fairness, Turn
from resolvers.context import Context, ThrottleStatus
from resolvers.errors import ErrorCode
from schema import Costed, GatewaySchema

log = logging.getLogger("gateway.graphql")

_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _first_operation_name(query: str) -> str | None:
    """The name of the document's first operation, for logs and metrics only (never to pick what runs)."""
    match = _OPERATION.search(query[:2000])
    return match.group(1) if match else None


def request_id_of(request: Request) -> str:
    supplied = request.headers.get("x-request-id", "")
    return supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex


def _wants_ide(request: Request) -> bool:
    parameters = request.query_params
    return (
        "query" not in parameters
        and "extensions" not in parameters
        and "text/html" in request.headers.get("accept", "")
    )


async def graphql_endpoint(request: Request) -> Response:
    state = request.app.state
    request_id = request_id_of(request)
    headers = {"x-request-id": request_id}
    if request.method == "GET" and _wants_ide(request):
        if not state.settings.graphiql:
            return OrjsonResponse(error_body("GraphiQL is turned off", ErrorCode.NOT_FOUND), 404, headers)
        return graphiql_page(headers)
    entry = RequestRecord(request_id=request_id, started=time.perf_counter())
    tracing: Tracing | None = state.tracing
    try:
        if tracing is None:
            response = await _answer(request, entry, headers)
        else:  # tracing on (gateway/tracing.py): the request's server span
            with tracing.request_span(request, entry):
                response = await _answer(request, entry, headers)
        if wants_graphql_response(request):
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        response = revalidated(request, response)
    except Exception:  # a bug of ours: the server answers 500, and the log and metrics say so
        entry.status, entry.error_codes = 500, [ErrorCode.INTERNAL]
        raise
    finally:
        record(state.metrics, entry, time.perf_counter())
    return response


async def _principal(
    request: Request, entry: RequestRecord, headers: dict[str, str]
) -> tuple[Principal, bytes] | Response:
    """Who the request's key stands for (and the key's hash), or the 401/503 to answer.

    A key seen before is not looked up again (`KnownKeys`): it is checked in the round trip that opens the
    request's transaction instead (`_open`), which is one round trip less per request.
    """
    state = request.app.state
    token = bearer_token(request.headers.get("authorization"))
    if not token or not looks_like_key(token):
        return _unauthenticated(entry, headers)
    known_keys: KnownKeys = state.known_keys
    secret_hash = hash_key(token)
    principal = known_keys.get(secret_hash)
    if principal is not None:
        return principal, secret_hash
    try:
        connection = await acquire(state.pool, state.settings.pool_acquire_timeout_s, state.pool_waiters)
        try:
            principal = await find_principal(connection, token)
        finally:
            await state.pool.release(connection)
    except Exception as error:
        return _unavailable(entry, error, headers)
    if principal is None:
        return _unauthenticated(entry, headers)
    known_keys.remember(secret_hash, principal)
    return principal, secret_hash


async def _open(
    request: Request,
    entry: RequestRecord,
    headers: dict[str, str],
    principal: Principal,
    secret_hash: bytes,
    turn: Turn,
    throttle_status: ThrottleStatus,
) -> Context | Response:
    """The request's context on a pool connection that is now the request's, its key checked in the round trip
    that opens its transaction; or the 401/503 to answer."""
    state = request.app.state
    try:
        connection = await acquire(state.pool, state.settings.pool_acquire_timeout_s, state.pool_waiters)
    except Exception as error:
        return _unavailable(entry, error, headers)
    key_check = key_check_sql(secret_hash, principal.key_id)
    context = build_context(
        entry.request_id,
        principal,
        state.settings,
        state.pool,
        throttle_status,
        state.pool_waiters,
        connection,
        key_check,
        turn.step,
    )
    try:
        await context.db.start()
    except KeyRevoked:
        state.known_keys.forget(secret_hash)
        await context.db.close(commit=False)
        return _unauthenticated(entry, headers)
    except Exception as error:
        with contextlib.suppress(Exception):
            await context.db.close(commit=False)
        return _unavailable(entry, error, headers)
    entry.producer_id = principal.producer_id
    return context


async def _answer(request: Request, entry: RequestRecord, headers: dict[str, str]) -> Response:
    """Run one GraphQL request, noting in `entry` what happened.

    The key is checked first, from the headers: a request waits for its producer's turn (`loaders.fairness`)
    before its body is even read, so that a producer's requests beyond its share cost the process nothing.
    """
    state = request.app.state
    found = await _principal(request, entry, headers)
    if isinstance(found, Response):
        return found
    principal, secret_hash = found
    fairness: Fairness = state.fairness
    try:
        async with fairness.turn(principal.producer_id, state.settings.pool_acquire_timeout_s) as turn:
            await turn.step()
            graphql_request = await _read(request, entry, headers)
            if isinstance(graphql_request, Response):  # the client went away
                return graphql_request
            costed = None if isinstance(graphql_request, Refusal) else _costed(state, graphql_request)
            requested = 0 if costed is None else costed.requested
            drawn = await charge(state.cost_buckets, state.settings, principal, secret_hash, requested)
            headers.update(rate_limit_headers(drawn.status))
            if isinstance(graphql_request, Refusal):  # nothing to price: nothing charged
                refusal = graphql_request
                return _refuse(entry, refusal.status, refusal.message, refusal.code, headers, await drawn.settle(0))
            if not drawn.within_maximum:
                return await _too_costly(entry, drawn, headers)
            if not drawn.admitted:
                return await _throttled(entry, drawn, headers)
            opened = await _open(request, entry, headers, principal, secret_hash, turn, drawn.status)
            if isinstance(opened, Response):
                await drawn.settle(0)
                return opened
            allowed = {OperationType.QUERY, OperationType.MUTATION} if request.method == "POST" else _QUERIES_ONLY
            try:
                graphql_response = wants_graphql_response(request)
                return await _execute(
                    state, graphql_request, costed, drawn, allowed, opened, entry, headers, graphql_response
                )
            finally:  # normally closed already (a no-op then); after a crash, the connection still goes back
                with contextlib.suppress(Exception):
                    await opened.db.close(commit=False)
    except PoolExhausted as error:  # the producer's share of the pool stayed taken
        return _unavailable(entry, error, headers)


_QUERIES_ONLY = {OperationType.QUERY}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is answered without running: the HTTP status, the message and its code."""

    status: int
    message: str
    code: ErrorCode


async def _read(request: Request, entry: RequestRecord, headers: dict[str, str]) -> GraphQLRequest | Refusal | Response:
    """The request's query (sent, or found by its hash: `gateway/http/persisted.py`), variables and operation
    name, from the POST body or the GET parameters; or why they are refused; or the empty answer to a client
    that went away."""
    try:
        received = await read_post(request) if request.method == "POST" else read_get(request)
        graphql_request = await query_of(received, request.app.state.persisted_queries)
    except BadRequest as error:
        return Refusal(error.status, str(error), error.code)
    except PersistedQueryNotFound as error:  # Apollo's clients look for this message, then send the query
        return Refusal(200, str(error), ErrorCode.PERSISTED_QUERY_NOT_FOUND)
    except PersistedQueryNotAllowed as error:
        return Refusal(400, str(error), ErrorCode.PERSISTED_QUERY_NOT_ALLOWED)
    except ClientGone:
        log.info("the client disconnected before sending its whole request (request %s)", entry.request_id)
        entry.status = 499  # as nginx names it: nobody is left to read the answer
        return Response(status_code=499, headers=headers)
    entry.operation = graphql_request.operation_name or _first_operation_name(graphql_request.query)
    if (tracing := REQUEST_TRACING.get()) is not None:  # tracing on: the operation's type on the request's span
        tracing.note_operation(graphql_request.query, graphql_request.operation_name)
    return graphql_request


async def _execute(
    state: Any,
    graphql_request: GraphQLRequest,
    costed: Costed | None,
    drawn: Charge,
    allowed: set[OperationType],
    context: Context,
    entry: RequestRecord,
    headers: dict[str, str],
    graphql_response: bool,
) -> Response:
    """Answer an authenticated request: the fast executor for a plain query, else the stock one.
    `graphql_response`: the client takes `application/graphql-response+json` (`gateway/http/media.py`)."""
    if state.fast_executor is not None:
        fast_body = await _fast_answer(state.fast_executor, graphql_request, context, entry)
        if fast_body is not None:
            if not state.settings.production:
                headers["x-sql-statements"] = str(context.db.statements)
            await _settle(state, fast_body, costed, drawn, headers)
            return OrjsonResponse(fast_body, headers=headers)
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
        cost = await drawn.settle(0)
        if error.operation_type == OperationType.MUTATION:
            message, headers = "Mutations are only run by POST", {**headers, "allow": "POST"}
            return _refuse(entry, 405, message, ErrorCode.BAD_USER_INPUT, headers, cost)
        message = "Only queries and mutations are served here"
        return _refuse(entry, 400, message, ErrorCode.BAD_USER_INPUT, headers, cost)
    except CannotGetOperationTypeError:
        message = "Name the operation to run with `operationName`; the document has several or none by that name"
        return _refuse(entry, 400, message, ErrorCode.BAD_USER_INPUT, headers, await drawn.settle(0))
    finally:
        try:
            await context.db.close(commit=committed)
        except Exception as error:  # the connection died with the database: the pool replaces it
            if unavailable_reason(error) is None:
                raise
        entry.sql_statements, entry.sql_seconds = context.db.statements, context.db.sql_seconds

    body: dict[str, Any] = {}
    if result.errors:
        suggestions = not state.settings.production
        body["errors"] = [format_error(error, entry.request_id, suggestions=suggestions) for error in result.errors]
        entry.error_codes = [error["extensions"]["code"] for error in body["errors"]]
    # not run at all: the document did not parse or validate, or the variables did not fit (no error has a path)
    not_run = result.data is None and bool(result.errors) and all(not error.path for error in result.errors)
    if not (graphql_response and not_run):
        body["data"] = result.data
    await _settle(state, body, costed, drawn, headers)
    if not state.settings.production:
        headers["x-sql-statements"] = str(context.db.statements)
    return OrjsonResponse(body, status_code=400 if graphql_response and not_run else 200, headers=headers)


async def _fast_answer(
    executor: FastExecutor, graphql_request: GraphQLRequest, context: Context, entry: RequestRecord
) -> dict[str, Any] | None:
    """The fast executor's answer to a plain query, or None (the stock executor then answers)."""
    body = await executor.execute(
        graphql_request.query, graphql_request.variables, graphql_request.operation_name, context
    )
    if body is not None:
        try:
            await context.db.close()
        except Exception as error:  # the answer is complete; a connection that died after it is no concern
            if unavailable_reason(error) is None:
                raise
        finally:
            entry.sql_statements, entry.sql_seconds = context.db.statements, context.db.sql_seconds
    return body


def _costed(state: Any, graphql_request: GraphQLRequest) -> Costed | None:
    """The document's cost, from the document the executor that runs it keeps (parsed and validated once)."""
    query, operation_name, variables = graphql_request.query, graphql_request.operation_name, graphql_request.variables
    fast: FastExecutor | None = state.fast_executor
    costed = None if fast is None else fast.costed(query, operation_name, variables)
    if costed is None:  # the stock executor runs it, or nothing does (it does not parse or validate)
        schema: GatewaySchema = state.schema
        costed = schema.costed(query, operation_name, variables)
    return costed


async def _settle(
    state: Any, body: dict[str, Any], costed: Costed | None, drawn: Charge, headers: dict[str, str]
) -> None:
    """Charge the answer's actual cost (giving back the rest of what was taken) and say so in its
    `extensions.cost` and `RateLimit` header (nothing is charged for a document that did not parse or validate)."""
    actual = 0 if costed is None else state.schema.actual_cost(costed, body.get("data"))
    body["extensions"] = {"cost": await drawn.settle(actual)}
    headers.update(rate_limit_headers(drawn.status))


async def _too_costly(entry: RequestRecord, drawn: Charge, headers: dict[str, str]) -> Response:
    requested, maximum = drawn.requested, drawn.maximum
    message = f"The document's cost is {requested}, above the maximum of {maximum}: ask for fewer or smaller pages"
    return _refuse(entry, 200, message, ErrorCode.MAX_COST_EXCEEDED, headers, await drawn.settle(0), in_error=True)


async def _throttled(entry: RequestRecord, drawn: Charge, headers: dict[str, str]) -> Response:
    """HTTP 429: the key's bucket does not hold the document's requested cost now; nothing ran."""
    status, wait = drawn.status, drawn.admission.retry_after_s
    message = (
        f"Throttled: the document costs {drawn.requested} points and the key's bucket holds "
        f"{status.currently_available} of {status.maximum_available} (it gets back {status.restore_rate} a second); "
        f"try again in {wait} s"
    )
    cost = await drawn.settle(0)
    return _refuse(entry, 429, message, ErrorCode.THROTTLED, {**headers, "retry-after": str(wait)}, cost, in_error=True)


def _unauthenticated(entry: RequestRecord, headers: dict[str, str]) -> Response:
    message = "A valid API key is required: `Authorization: Bearer <key>`"
    return _refuse(entry, 401, message, ErrorCode.UNAUTHENTICATED, {**headers, "www-authenticate": "Bearer"})


def _unavailable(entry: RequestRecord, error: Exception, headers: dict[str, str]) -> Response:
    """The key could not be checked because the database cannot serve now (HTTP 503); anything else raises."""
    reason = unavailable_reason(error)
    if reason is None:
        raise error
    log.warning("authentication could not reach the database (request %s): %s", entry.request_id, error)
    return _refuse(entry, 503, reason, ErrorCode.SERVICE_UNAVAILABLE, {**headers, "retry-after": "1"})


def _refuse(
    entry: RequestRecord,
    status: int,
    message: str,
    code: ErrorCode,
    headers: dict[str, str],
    cost: dict[str, Any] | None = None,
    *,
    in_error: bool = False,
) -> Response:
    """An answer refusing the request before (or instead of) running it, with its `extensions.cost` (nothing
    requested, nothing charged, when the request was not priced); `in_error`: the cost in the error's
    extensions too."""
    entry.status = status
    entry.error_codes = [code]
    body = error_body(message, code)
    cost = cost or cost_extension(0, 0, 0, None)
    if in_error:
        body["errors"][0]["extensions"]["cost"] = cost
    body["extensions"] = {"cost": cost}
    return OrjsonResponse(body, status_code=status, headers=headers)
