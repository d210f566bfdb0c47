"""A table of bad requests: each gets a clear error with a stable code, none a 500, none changes data."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories.producers import Seller, make_seller
from tests.factories.sales import make_sale

CURSOR_OF_ANOTHER_LIST = base64.urlsafe_b64encode(
    b'["refunds:requested_at:desc","2020-01-01T00:00:00+00:00",1]'
).decode()
DEEP = "{ sales { nodes { subscription { charges { nodes { subscription { charges { nodes { subscription { product { name } } } } } } } } } } }"


def _aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: viewer {{ id }}" for i in range(count)) + " }"


ALIAS_BOMB_BY_FRAGMENTS = "query { ...F ...F ...F ...F ...F } fragment F on Query { a: viewer { id } b: viewer { id } c: viewer { id } d: viewer { id } }"
CIRCULAR = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
DIRECTIVES = "{ viewer { " + " ".join("id @include(if: true)" for _ in range(60)) + " } }"
MANY_TOKENS = "{ viewer { " + " ".join("id" for _ in range(2_500)) + " } }"


@dataclass(frozen=True)
class Case:
    name: str
    query: str | None = None
    variables: dict[str, Any] | None = None
    body: bytes | None = None  # raw body instead of query/variables
    content_type: str = "application/json"
    method: str = "POST"
    status: int = 200
    code: str = "BAD_USER_INPUT"
    extra: dict[str, Any] = field(default_factory=dict)


SALES_PAGE = "query ($first: Int, $last: Int, $after: String) { sales(first: $first, last: $last, after: $after) { nodes { id } } }"

CASES = [
    Case("malformed JSON", body=b'{"query": "{ viewer { id } }"', status=400),
    Case("empty body", body=b"", status=400),
    Case("JSON null", body=b"null", status=400),
    Case("JSON number", body=b"42", status=400),
    Case("invalid UTF-8", body=b'{"query": "\xff\xfe"}', status=400),
    Case("batched operations", body=b'[{"query": "{ viewer { id } }"}, {"query": "{ viewer { id } }"}]', status=400),
    Case("wrong content type", body=b'{"query": "{ viewer { id } }"}', content_type="text/plain", status=400),
    Case("no content type", body=b'{"query": "{ viewer { id } }"}', content_type="", status=400),
    Case("variables not an object", body=b'{"query": "{ viewer { id } }", "variables": 3}', status=400),
    Case("unknown field", "{ viewer { password } }"),
    Case("unknown root field", "{ producers { id } }"),
    Case("unknown argument", "{ sales(limit: 5) { nodes { id } } }"),
    Case("syntax error", "{ viewer { id }"),
    Case("deep nesting", DEEP, code="QUERY_TOO_COMPLEX"),
    Case("alias bomb", _aliases(40), code="QUERY_TOO_COMPLEX"),
    Case("alias bomb through fragments", ALIAS_BOMB_BY_FRAGMENTS, code="QUERY_TOO_COMPLEX"),
    Case("circular fragments", CIRCULAR),
    Case("too many directives", DIRECTIVES, code="QUERY_TOO_COMPLEX"),
    Case("too many tokens", MANY_TOKENS, code="QUERY_TOO_COMPLEX"),
    Case("a megabyte of query text", "{ viewer { id } }" + " " * 1_000_000, status=400, code="QUERY_TOO_COMPLEX"),
    Case("body over the size limit", body=b'{"query": "' + b" " * 3_000_000 + b'"}', status=400),
    Case("bad cursor", SALES_PAGE, {"after": "%%%not-base64%%%"}),
    Case("cursor that is base64 of junk", SALES_PAGE, {"after": base64.urlsafe_b64encode(b"junk").decode()}),
    Case("cursor of another list", SALES_PAGE, {"after": CURSOR_OF_ANOTHER_LIST}),
    Case("first of -1", SALES_PAGE, {"first": -1}),
    Case("first of 0", SALES_PAGE, {"first": 0}),
    Case("first of 101", SALES_PAGE, {"first": 101}),
    Case("first of 2^31", SALES_PAGE, {"first": 2**31}),
    Case("first as a string", SALES_PAGE, {"first": "ten"}),
    Case("first with last", SALES_PAGE, {"first": 5, "last": 5}),
    Case("bad enum literal", "{ sales(filter: {status: [NOPE]}) { nodes { id } } }"),
    Case(
        "bad enum in variables",
        "query ($f: SaleFilter) { sales(filter: $f) { nodes { id } } }",
        {"f": {"paymentMethods": ["CASH"]}},
    ),
    Case("bad currency", "{ salesManagement(currency: XYZ) { asOf } }"),
    Case("impossible date", '{ salesManagement(period: {from: "2024-02-30", to: "2024-03-01"}) { asOf } }'),
    Case("reversed period", '{ salesManagement(period: {from: "2024-03-02", to: "2024-03-01"}) { asOf } }'),
    Case("period of 20 years", '{ salesManagement(period: {from: "2004-01-01", to: "2024-01-01"}) { asOf } }'),
    Case("bad DateTime", '{ sales(filter: {createdFrom: "yesterday"}) { nodes { id } } }'),
    Case("id that is not base64", '{ node(id: "%%%") { id } }'),
    Case(
        "id of an unknown type",
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": base64.b64encode(b"Admin:1").decode()},
    ),
    Case(
        "id with a huge key",
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": base64.b64encode(b"Sale:99999999999999999999").decode()},
    ),
    Case("product id of the wrong type", '{ sales(filter: {productIds: ["U2FsZToxCg=="]}) { nodes { id } } }'),
    Case(
        "NUL byte in a variable",
        "query ($s: String) { sales(filter: {search: $s}) { nodes { id } } }",
        {"s": "a\u0000b"},
        status=400,
    ),
    Case(
        "very long e-mail filter",
        "query ($e: String) { sales(filter: {buyerEmail: $e}) { nodes { id } } }",
        {"e": "x" * 100_000},
    ),
    Case("subscription operation", "subscription { viewer { id } }", status=400),
    Case("mutation by GET", method="GET", query="mutation { viewer { id } }", status=405),
    Case("two operations, none named", "query A { viewer { id } } query B { viewer { id } }"),
    # values the database cannot hold, and non-canonical spellings: refused before any statement
    Case("period in year 9999", '{ salesManagement(period: {from: "9999-12-25", to: "9999-12-31"}) { asOf } }'),
    Case(
        "createdFrom in year 0 in UTC", '{ sales(filter: {createdFrom: "0001-01-01T00:00:00+14:00"}) { nodes { id } } }'
    ),
    Case(
        "createdTo past year 9999 in UTC",
        '{ sales(filter: {createdTo: "9999-12-31T23:59:59-12:00"}) { nodes { id } } }',
    ),
    Case("date-time without an offset", '{ sales(filter: {createdFrom: "2026-11-30T22:00:00"}) { nodes { id } } }'),
    Case(
        "report period in year 9999",
        '{ reports { paymentMethods(period: {from: "9999-01-01", to: "9999-01-02"}) { sales } } }',
    ),
    Case(
        "date with Unicode digits", '{ salesManagement(period: {from: "２０２６-01-01", to: "2026-01-02"}) { asOf } }'
    ),
    Case(
        "GROSS_AMOUNT cursor of 1e-20000",
        "query ($after: String) { sales(first: 2, after: $after, orderBy: {field: GROSS_AMOUNT, direction: ASC},"
        " filter: {currency: BRL}) { nodes { id } } }",
        {"after": base64.urlsafe_b64encode(b'["sales:gross_amount:asc","1e-20000",1]').decode()},
    ),
    Case(
        "cursor with a date-time out of range",
        SALES_PAGE,
        {"after": base64.urlsafe_b64encode(b'["sales:created_at:desc","0001-01-01T00:00:00+14:00",1]').decode()},
    ),
    Case(
        "id with Arabic-Indic digits",
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": base64.b64encode("Sale:١٩٩٤".encode()).decode()},
    ),
    Case(
        "id with fullwidth digits",
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": base64.b64encode("Sale:１９９４".encode()).decode()},
    ),
    Case(
        "id with a sign and a space",
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": base64.b64encode(b"Sale: +1994").decode()},
    ),
    Case(
        "id with an underscore",
        "query ($id: ID!) { node(id: $id) { id } }",
        {"id": base64.b64encode(b"Sale:1_994").decode()},
    ),
    Case(
        "amount with fullwidth digits",
        'mutation { requestWithdrawal(input: {amount: "１.００", currency: BRL, idempotencyKey: "k"}) { userErrors { code } } }',
    ),
    Case(
        "amount with an exponent",
        'mutation { requestWithdrawal(input: {amount: "1e2", currency: BRL, idempotencyKey: "k"}) { userErrors { code } } }',
    ),
    Case("empty status list", "{ sales(filter: {status: []}) { nodes { id } } }"),
    Case(
        "createdFrom after createdTo",
        '{ sales(filter: {createdFrom: "2026-02-01T00:00:00Z", createdTo: "2026-01-01T00:00:00Z"}) { nodes { id } } }',
    ),
    Case(
        "order by amount across currencies",
        "{ sales(orderBy: {field: GROSS_AMOUNT, direction: DESC}) { nodes { id } } }",
    ),
    Case(
        "101 aliases of __typename",
        "{ " + " ".join(f"a{i}: __typename" for i in range(101)) + " }",
        code="QUERY_TOO_COMPLEX",
    ),
    Case(
        "20 aliases of __schema",
        "{ " + " ".join(f"a{i}: __schema {{ queryType {{ name }} }}" for i in range(20)) + " }",
        code="QUERY_TOO_COMPLEX",
    ),
    Case(
        "body naming query twice",
        body=b'{"query": "{ viewer { id } }", "query": "mutation { cancelWithdrawal(id: \\"x\\") { userErrors { code } } }"}',
        status=400,
    ),
    Case(
        "cursor whose id is true",
        SALES_PAGE,
        {"after": base64.urlsafe_b64encode(b'["sales:created_at:desc","2026-01-01T00:00:00+00:00",true]').decode()},
    ),
    Case(
        "lone surrogate in a variable",
        "query ($s: String) { sales(filter: {search: $s}) { nodes { id } } }",
        {"s": "\ud800"},
        status=400,
    ),
    Case("NUL spelled as a GraphQL escape", '{ sales(filter: {search: "a\\u{0}b"}) { nodes { id } } }'),
    Case("directive repeated at one place", "{ viewer { id @include(if: true) @include(if: true) } }"),
    Case("variables a string that is not JSON", body=b'{"query": "{ viewer { id } }", "variables": "x"}', status=400),
]


@pytest.fixture(scope="module")
async def seller(database_url: str) -> Seller:
    connection = await asyncpg.connect(database_url)
    try:
        seller = await make_seller(connection)
        from datetime import UTC, datetime

        await make_sale(connection, seller, created_at=datetime.now(UTC))
        return seller
    finally:
        await connection.close()


async def _snapshot(connection: asyncpg.Connection) -> list[Any]:
    tables = ["producers", "products", "buyers", "sales", "lost_sales", "refunds", "withdrawals", "statement_entries",
              "subscriptions", "affiliations", "receipts", "prepayments", "api_keys"]  # fmt: skip
    return [await connection.fetchval(f"select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from {t} t")
            for t in tables]  # fmt: skip


def test_the_table_has_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_bad_input_gets_a_clear_error(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller, case: Case
) -> None:
    before = await _snapshot(connection)
    headers = {"authorization": f"Bearer {seller.key}"}
    if case.method == "GET":
        response = await client.get("/graphql", params={"query": case.query or ""}, headers=headers)
    else:
        if case.body is not None:
            content = case.body
        else:
            # json escapes a lone surrogate as \\ud800, which orjson refuses to write
            content = json.dumps({"query": case.query, "variables": case.variables}).encode()
        if case.content_type:
            headers["content-type"] = case.content_type
        response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == case.status, response.text[:500]
    body = response.json()
    errors = body["errors"]
    assert errors, body
    assert errors[0]["extensions"]["code"] == case.code, errors
    assert errors[0]["message"]
    assert "Traceback" not in response.text
    assert "Internal server error" not in response.text
    assert await _snapshot(connection) == before


async def test_directive_overloading_is_one_error(client: httpx.AsyncClient, seller: Seller) -> None:
    """GraphQL Cop's probe: ten copies of an unknown directive get one error, not one per copy."""
    query = "query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }"
    response = await client.post(
        "/graphql", json={"query": query, "operationName": "cop"}, headers={"authorization": f"Bearer {seller.key}"}
    )
    errors = response.json()["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["BAD_USER_INPUT"]
    assert "@aa appears twice" in errors[0]["message"]


async def test_sql_looking_strings_are_just_text(
    client: httpx.AsyncClient, connection: asyncpg.Connection, seller: Seller
) -> None:
    before = await _snapshot(connection)
    for text in ("'; drop table sales; --", "1' or '1'='1", "%' or 1=1 --", "\\", "_%_"):
        response = await client.post(
            "/graphql",
            json={
                "query": "query ($s: String) { sales(filter: {search: $s}) { nodes { id } } }",
                "variables": {"s": text},
            },
            headers={"authorization": f"Bearer {seller.key}"},
        )
        assert response.json()["data"] == {"sales": {"nodes": []}}
        assert "errors" not in response.json()
    assert await _snapshot(connection) == before


@pytest.mark.parametrize("copies", [201, 1_500])
async def test_a_field_repeated_a_thousand_times_is_one_clear_error(
    client: httpx.AsyncClient, seller: Seller, copies: int
) -> None:
    """Validation compares a selection set's fields pairwise and recursively: 1,500 copies of one field used to
    abort it with "Validation aborted."; a selection set is now refused past 200 selections, before that."""
    query = "{ viewer { " + " ".join(["name"] * copies) + " } }"
    response = await client.post("/graphql", json={"query": query}, headers={"authorization": f"Bearer {seller.key}"})
    errors = response.json()["errors"]
    assert [error["extensions"]["code"] for error in errors] == ["QUERY_TOO_COMPLEX"]
    assert errors[0]["message"] == f"A selection set selects {copies} fields and fragments; at most 200 are allowed"
    allowed = "{ viewer { " + " ".join(["name"] * 200) + " } }"
    answer = await client.post("/graphql", json={"query": allowed}, headers={"authorization": f"Bearer {seller.key}"})
    assert "errors" not in answer.json()
    assert answer.json()["data"]["viewer"]["name"]
