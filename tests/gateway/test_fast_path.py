"""The fast executor answers exactly as the stock executor does: same JSON, errors included.

Two apps over one seeded database, one with the fast path and one without, get the same requests: every
example query of GraphiQL, hand-written ones (fragments, aliases, directives, cursors, filters) and queries
generated from the schema by hypothesis-graphql. The example and hand-written documents between them select
every relation field of the schema and every field with arguments that returns objects, and a test keeps it so.
"""

from __future__ import annotations

import gc
import json
import re
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from graphql import (
    FieldNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    parse,
    visit,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries
from starlette.applications import Starlette
from strawberry.schema.schema_converter import GraphQLCoreConverter

from gateway.http.app import create_app
from gateway.operations.database import SERVING_ROLE, url_with
from loaders.api_keys import create_key
from schema import schema as gateway_schema
from schema.relations import related_field
from tests.conftest import NewDatabase
from tests.factories.demo import seeded_database
from tests.settings import gateway_settings

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "http" / "static" / "graphiql" / "examples.json"

HAND_WRITTEN: list[tuple[str, dict[str, Any] | None]] = [
    ("{ viewer { id name email timeZone defaultCurrency __typename } }", None),
    (
        "query ($n: Int!) { sales(first: $n) { totalCount edges { cursor node { id transactionCode status"
        " grossAmount { amount currency } fees { amount } netAmount { amount } createdAt approvedAt device"
        " product { id name kind price { amount currency } } buyer { email name country }"
        " affiliate { name } refunds { status availableActions amount { amount } } recovered"
        " recoveredFrom { reason potentialRevenue { amount } } subscription { planName status"
        " charges(first: 2) { totalCount nodes { transactionCode } } } } } pageInfo { hasNextPage endCursor } } }",
        {"n": 50},
    ),
    (
        "query ($skipBuyer: Boolean!, $withProduct: Boolean!) { first: sales(first: 3) { ...SaleBits }"
        " second: sales(first: 3, orderBy: {field: GROSS_AMOUNT, direction: ASC}, filter: {currency: BRL})"
        " { ...SaleBits } }"
        " fragment SaleBits on SaleConnection { nodes { ... on Sale { id } ...More __typename }"
        " pageInfo { startCursor } }"
        " fragment More on Sale { buyer @skip(if: $skipBuyer) { email } product @include(if: $withProduct) { name }"
        " status }",
        {"skipBuyer": True, "withProduct": True},
    ),
    (
        "{ lostSales(last: 7) { nodes { id reason buyer { email } recoveredBy { transactionCode } } pageInfo {"
        " hasPreviousPage hasNextPage } } }",
        None,
    ),
    (
        "{ refunds(first: 5, filter: {status: [REQUESTED, APPROVED]}) { nodes { status sale { transactionCode } } } }",
        None,
    ),
    (
        "{ subscriptions(first: 5) { nodes { planName subscriber { email } product { name } charges(last: 2) {"
        " nodes { createdAt } } statusHistory(first: 3) { totalCount edges { cursor node { status changedAt reason } }"
        " } } } subscriptionSummary { active new cancelled monthlyRecurringRevenue { amount } } }",
        None,
    ),
    (
        "{ affiliations(first: 5) { totalCount nodes { status commissionRate affiliate { name } product { name }"
        " performance { sales revenue { amount currency } commission { amount } } } } }",
        None,
    ),
    (
        "{ balances { currency available { amount } pending { amount } blocked { amount } total { amount } }"
        " statement(first: 10) { nodes { kind amount { amount } balanceAfter { amount } sale { transactionCode }"
        " withdrawal { status } } } withdrawals(first: 3) { nodes { status amount { amount } } }"
        " prepayments(first: 3) { nodes { status fee { amount } } } receipts(first: 3) { nodes { number direction"
        " affiliate { name } period { from to } } } }",
        None,
    ),
    (
        "{ statement(first: 10, filter: {kinds: [WITHDRAWAL, REFUND]}) { nodes { kind amount { amount } sale {"
        " transactionCode } withdrawal { status amount { amount } paidAt } } } }",
        None,
    ),
    (
        "query ($p: DateRangeInput!) { reports { paymentMethods(period: $p) { paymentMethod sales share revenue {"
        " amount } } revenueByDevice(period: $p) { device sales } purchaseRecovery(period: $p) { lost recovered"
        " recoveryRate } productRevenue(period: $p) { product { name } sales refunds } promotedProducts(period: $p) {"
        " product { id name } affiliates sales } revenueOverTime(period: $p, bucket: WEEK) { start sales"
        " grossRevenue { amount } } trafficSources(period: $p) { source sales lostSales conversionRate } }"
        " strategies { code priority reason } }",
        {"p": {"from": "2026-01-01", "to": "2026-03-31"}},
    ),
    ('{ products(first: 3) { nodes { name } } sale(transactionCode: "nope") { id } }', None),
    (
        "{ webhookSubscriptions(first: 3, filter: {status: [ACTIVE]}) { nodes { url topics status } }"
        " webhookDeliveries(first: 3, filter: {status: [PENDING]}) { nodes { status attempts event { type }"
        " webhookSubscription { url } } } }",
        None,
    ),
    (
        '{ events(first: 5, filter: {types: ["sale.created"]}) { nodes { id type objectType objectId occurredAt'
        ' payload } pageInfo { endCursor } } sales(first: 3, filter: {updatedSince: "2026-01-01T00:00:00Z"},'
        " orderBy: {field: UPDATED_AT, direction: ASC}) { nodes { updatedAt } } }",
        None,
    ),
    # requests that end in errors: the fast path must step aside and the answers still be equal
    ("{ sales(first: 101) { nodes { id } } }", None),
    ('{ viewer { name } sales(after: "junk") { nodes { id } } }', None),
    ('{ node(id: "nope") { id } }', None),
    ("{ __schema { queryType { name } } }", None),
]


def _without_clock(body: Any) -> Any:
    """`asOf` is the time of the request: the one field two runs may not share."""
    if isinstance(body, dict):
        return {key: _without_clock(value) for key, value in body.items() if key != "asOf"}
    if isinstance(body, list):
        return [_without_clock(item) for item in body]
    return body


@pytest.fixture(scope="module")
async def seeded(new_database: NewDatabase) -> tuple[str, str]:
    url, keys = await seeded_database(new_database, producers=2, sales=3_000, seed_value=11, keys_of=(1,))
    return url, keys[1]


@pytest.fixture(scope="module")
async def apps(seeded: tuple[str, str]) -> AsyncIterator[tuple[Starlette, Starlette, str]]:
    url, key = seeded
    serving = url_with(url, user=SERVING_ROLE)
    fast = create_app(gateway_settings({"GATEWAY_FAST_PATH": "true"}), serving)
    stock = create_app(gateway_settings({"GATEWAY_FAST_PATH": "false"}), serving)
    async with fast.router.lifespan_context(fast), stock.router.lifespan_context(stock):
        yield fast, stock, key


async def _both(
    apps: tuple[Starlette, Starlette, str], query: str, variables: dict[str, Any] | None
) -> tuple[Any, Any]:
    fast, stock, key = apps
    answers = []
    for app in (fast, stock):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {key}"}
            )
            answers.append((response.status_code, _without_clock(response.json())))
    return answers[0], answers[1]


def _examples() -> list[str]:
    return [example["query"] for example in json.loads(EXAMPLES.read_text())["examples"]]


async def test_every_graphiql_example_is_answered_alike_and_fast(apps: tuple[Starlette, Starlette, str]) -> None:
    fast_app = apps[0]
    for query in _examples():
        before = fast_app.state.fast_executor.answered
        fast, stock = await _both(apps, query, {"period": {"from": "2026-01-01", "to": "2026-12-31"}})
        assert fast == stock, query
        assert "errors" not in fast[1], fast
        assert fast_app.state.fast_executor.answered == before + 1, f"the fast path stepped aside for:\n{query}"


@pytest.mark.parametrize(("query", "variables"), HAND_WRITTEN)
async def test_hand_written_queries_are_answered_alike(
    apps: tuple[Starlette, Starlette, str], query: str, variables: dict[str, Any] | None
) -> None:
    fast, stock = await _both(apps, query, variables)
    assert fast == stock


async def test_the_fast_path_answers_plain_queries_and_steps_aside_for_errors(
    apps: tuple[Starlette, Starlette, str],
) -> None:
    executor = apps[0].state.fast_executor
    answered, stepped_aside = executor.answered, executor.stepped_aside
    await _both(apps, HAND_WRITTEN[1][0], HAND_WRITTEN[1][1])
    assert executor.answered == answered + 1
    await _both(apps, "{ sales(first: 101) { nodes { id } } }", None)
    assert executor.stepped_aside == stepped_aside + 1


async def test_a_field_refused_at_once_leaves_no_coroutine_behind(
    apps: tuple[Starlette, Starlette, str], seeded: tuple[str, str]
) -> None:
    """`affiliations` (an async resolver) is called before `reports` (a plain one) refuses a key without
    `reports:read`: the fast path steps aside, its unstarted coroutines are closed, and the answer is the
    stock one (FORBIDDEN on `reports` only)."""
    url, _ = seeded
    connection = await asyncpg.connect(url)
    try:
        narrow = await create_key(connection, 1, name="narrow", scopes=["sales:read", "affiliations:read"])
    finally:
        await connection.close()
    fast, stock, _ = apps
    query = "{ affiliations(first: 1) { totalCount } reports { __typename } }"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        answered = await _both((fast, stock, narrow.secret), query, None)
        gc.collect()
    assert answered[0] == answered[1]
    status, body = answered[0]
    assert (status, [error["extensions"]["code"] for error in body["errors"]]) == (200, ["FORBIDDEN"])
    assert body["data"]["affiliations"]["totalCount"] >= 0
    assert not [warning for warning in caught if "never awaited" in str(warning.message)]


# ---- what the documents above cover -------------------------------------------------------------------


def _object_types_of_queries(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    """The object types a query can reach (the fast path runs queries only: mutations are the stock
    executor's in both apps), through fields and the implementations of interfaces."""
    assert schema.query_type is not None
    found: dict[str, GraphQLObjectType] = {}
    stack: list[GraphQLNamedType] = [schema.query_type]
    while stack:
        type_ = stack.pop()
        if isinstance(type_, GraphQLInterfaceType):
            stack.extend(schema.get_possible_types(type_))
        if not isinstance(type_, GraphQLObjectType) or type_.name in found:
            continue
        found[type_.name] = type_
        stack.extend(get_named_type(field.type) for field in type_.fields.values())
    return list(found.values())


def _relation_fields(schema: GraphQLSchema) -> set[str]:
    """`Type.field` of every field declared as a relation (`schema/relations.py`)."""
    found = set()
    for type_ in _object_types_of_queries(schema):
        for name, field in type_.fields.items():
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if definition is not None and related_field(definition.metadata) is not None:
                found.add(f"{type_.name}.{name}")
    return found


def _fields_with_arguments_returning_objects(schema: GraphQLSchema) -> set[str]:
    """`Type.field` of every field with arguments whose value is an object, a list of them or a connection."""
    return {
        f"{type_.name}.{name}"
        for type_ in _object_types_of_queries(schema)
        for name, field in type_.fields.items()
        if field.args and isinstance(get_named_type(field.type), GraphQLObjectType | GraphQLInterfaceType)
    }


def _selected_fields(schema: GraphQLSchema, documents: list[str]) -> set[str]:
    """`Type.field` of every field the documents select, fragments included, named by the type it is
    selected on."""
    selected: set[str] = set()
    type_info = TypeInfo(schema)

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            parent = type_info.get_parent_type()
            if parent is not None:
                selected.add(f"{parent.name}.{node.name.value}")

    for document in documents:
        visit(parse(document), TypeInfoVisitor(type_info, Collect()))
    return selected


def test_the_documents_select_every_relation_and_every_field_with_arguments() -> None:
    schema = gateway_schema._schema
    relations = _relation_fields(schema)
    assert {"Sale.product", "Refund.sale", "StatementEntry.withdrawal"} <= relations  # the lookup finds them
    wanted = relations | _fields_with_arguments_returning_objects(schema)
    selected = _selected_fields(schema, [query for query, _ in HAND_WRITTEN] + _examples())
    assert sorted(wanted - selected) == []


READS_THE_CLOCK = "rateLimit"  # `resetAt`: two requests never see the same moment; left out of the documents
SDL = re.sub(r'  """[^"]*"""\n  rateLimit: RateLimit!\n', "", gateway_schema.as_str())
assert "rateLimit" not in SDL
CUSTOM_SCALARS = {
    "Date": st.dates(date(2025, 6, 1), date(2026, 12, 31)).map(lambda day: nodes.String(day.isoformat())),
    "DateTime": st.datetimes(datetime(2025, 6, 1), datetime(2026, 12, 31), timezones=st.just(UTC)).map(
        lambda moment: nodes.String(moment.isoformat())
    ),
    "Decimal": st.decimals(0, 1000, places=2).map(lambda number: nodes.String(str(number))),
}


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_generated_queries_are_answered_alike(
    apps: tuple[Starlette, Starlette, str], data: st.DataObject
) -> None:
    query = data.draw(queries(SDL, custom_scalars=CUSTOM_SCALARS, allow_x00=False))
    fast, stock = await _both(apps, query, None)
    assert fast == stock, query


# ---- queries valid by construction, so that the fast path answers them ------------------------------------

GRAPHQL_SCHEMA = gateway_schema._schema
ARGUMENT_VALUES: dict[str, st.SearchStrategy[str]] = {
    "first": st.integers(1, 30).map(str),
    "last": st.integers(1, 30).map(str),
    "period": st.sampled_from(['{from: "2026-01-01", to: "2026-03-31"}', '{from: "2025-11-20", to: "2026-11-19"}']),
    "bucket": st.sampled_from(["DAY", "WEEK", "MONTH"]),
    "currency": st.sampled_from(["BRL", "USD", "EUR"]),
    "transactionCode": st.just('"nope"'),
}


def _named(type_: Any) -> Any:
    while hasattr(type_, "of_type"):
        type_ = type_.of_type
    return type_


def _arguments(data: st.DataObject, field: Any) -> str | None:
    """Values for the field's arguments (required ones always, optional ones sometimes); None: skip it."""
    parts = []
    for name, argument in field.args.items():
        required = isinstance(argument.type, GraphQLNonNull)
        strategy = ARGUMENT_VALUES.get(name)
        if strategy is None:
            if required:
                return None
            continue
        if required or data.draw(st.booleans()):
            parts.append(f"{name}: {data.draw(strategy)}")
    if "first" in field.args and any(part.startswith("first") for part in parts):
        parts = [part for part in parts if not part.startswith("last")]
    return f"({', '.join(parts)})" if parts else ""


def _selection(data: st.DataObject, type_: GraphQLObjectType, depth: int) -> str:
    names = sorted(name for name in type_.fields if name != READS_THE_CLOCK)
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    parts = []
    for name in chosen:
        field = type_.fields[name]
        arguments = _arguments(data, field)
        if arguments is None:
            continue
        inner = _named(field.type)
        if isinstance(inner, GraphQLObjectType):
            if depth < 5:
                parts.append(f"{name}{arguments} {{ {_selection(data, inner, depth + 1)} }}")
        elif isinstance(inner, GraphQLInterfaceType):
            continue
        else:
            parts.append(f"{name}{arguments}")
    return " ".join(parts) or "__typename"


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(data=st.data())
async def test_queries_valid_by_construction_are_answered_alike_by_the_fast_path(
    apps: tuple[Starlette, Starlette, str], data: st.DataObject
) -> None:
    query_type = GRAPHQL_SCHEMA.query_type
    assert query_type is not None
    query = "{ " + _selection(data, query_type, 1) + " }"
    executor = apps[0].state.fast_executor
    answered = executor.answered
    fast, stock = await _both(apps, query, None)
    assert fast == stock, query
    if "errors" not in stock[1]:
        assert executor.answered == answered + 1, query


JOINED_PAGE = (
    "query ($n: Int!) { sales(first: $n) { nodes { id transactionCode product { id name } buyer { id email }"
    " affiliate { id name } } } }"
)
RELAY_PAGE = (
    "query SalesListQuery($n: Int!) { viewer { id ...Header } sales(first: $n) { edges { cursor node { id"
    " __typename ...SaleRow } } pageInfo { hasNextPage endCursor } } }"
    " fragment Header on Producer { name __typename }"
    " fragment SaleRow on Sale { transactionCode status product { id __typename ...ProductCell } buyer { id"
    " __typename email } affiliate { id __typename name } }"
    " fragment ProductCell on Product { name price { amount currency } }"
)


@pytest.mark.parametrize(("query", "statements"), [(JOINED_PAGE, 1), (RELAY_PAGE, 2)], ids=["nodes", "relay"])
async def test_to_one_relations_of_a_page_come_in_its_own_statement(
    apps: tuple[Starlette, Starlette, str], query: str, statements: int
) -> None:
    """A page's product, buyer and affiliate are joined into the page's statement (the viewer is one more),
    whatever the page size, through fragments and `edges { node }`; and the answer is the stock executor's."""
    fast, _, key = apps
    for size in (5, 20, 50):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fast), base_url="http://t") as client:
            response = await client.post(
                "/graphql", json={"query": query, "variables": {"n": size}}, headers={"authorization": f"Bearer {key}"}
            )
        assert "errors" not in response.json(), response.json()
        assert int(response.headers["x-sql-statements"]) == statements, size
        fast_answer, stock_answer = await _both(apps, query, {"n": size})
        assert fast_answer == stock_answer
