"""Boundary values for every argument and input field of the schema, generated, through the whole gateway.

The live schema is walked: every field that takes arguments, at the root of Query and Mutation or on an object a
minimal selection reaches (`Subscription.charges`, `Affiliation.performance`, `Reports.*`), is a target. For each,
hypothesis draws documents that pass each argument as a variable (so the value goes through variable coercion), as
an inline literal, as an object literal holding variables, or not at all, with values at the edges of their type:
ints at 2^31 and 2^63, empty, long, NUL, RTL and Unicode-digit strings, ids of every type and of the other producer
and odd spellings of ids, cursors of this list and of others and base64 of JSON with odd values, days from year 1 to
9999, date-times with every offset, decimals with huge and tiny exponents, NaN and signs, every enum member and
unknown ones, empty lists and nulls inside them, input objects with fields missing, null or unknown, and null where
the type allows it or not. Each document is posted by one of two seeded producers (or a read-only key), and:

- no answer is a 5xx, an exception out of the app, or slower than `REQUEST_TIMEOUT_S`;
- every error code is one of the API's, and none is INTERNAL, nor SERVICE_UNAVAILABLE (the database is up: that
  code would mean a statement ran out of time);
- nothing is logged at ERROR;
- a refused mutation (a request error, an error at the mutation's field, or a user error) changes no row (the
  audit log, written for every attempt by design, aside).

What the generator found (lone surrogates and NUL escapes reaching PostgreSQL or the JSON encoder) is kept as
one request each in `test_what_the_generator_found`.

`GENERATED_EXAMPLES` examples per target (60 by default: over 2,000 in all), derandomized so that CI runs the same
ones every time; `GENERATED_RANDOM=1` draws new ones.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import traceback
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.operations.demo import seed
from loaders.api_keys import create_key
from resolvers.ids import to_global_id
from schema import schema as gateway_schema
from tests.conftest import NewDatabase
from tests.e2e.test_bad_input import _snapshot
from tests.factories.finance import make_receipt
from tests.factories.producers import Seller
from tests.factories.refunds import make_refund
from tests.factories.sales import make_sale
from tests.factories.subscriptions import make_subscription
from tests.graphql import running_gateway

EXAMPLES_PER_TARGET = int(os.environ.get("GENERATED_EXAMPLES", "60"))
RANDOM = os.environ.get("GENERATED_RANDOM") == "1"
REQUEST_TIMEOUT_S = 30.0

# API.md, "Errors": the codes a GraphQL error may carry
API_CODES = {
    "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "QUERY_TOO_COMPLEX", "MAX_COST_EXCEEDED", "THROTTLED",
    "SERVICE_UNAVAILABLE", "INTERNAL",
}  # fmt: skip
NEVER = {"INTERNAL", "SERVICE_UNAVAILABLE"}


SCHEMA: GraphQLSchema = gateway_schema.graphql_schema
NODE = SCHEMA.type_map["Node"]
assert isinstance(NODE, GraphQLInterfaceType)
NODE_TYPES = sorted(type_.name for type_ in SCHEMA.get_possible_types(NODE))
TABLE_OF_TYPE = {
    "Producer": "producers", "Product": "products", "Buyer": "buyers", "Affiliate": "affiliates",
    "Affiliation": "affiliations", "Subscription": "subscriptions", "Sale": "sales", "LostSale": "lost_sales",
    "Refund": "refunds", "Withdrawal": "withdrawals", "Prepayment": "prepayments", "Receipt": "receipts",
    "StatementEntry": "statement_entries", "WebhookSubscription": "webhook_subscriptions",
    "WebhookDelivery": "webhook_deliveries",
}  # fmt: skip
READ_SCOPES = ["sales:read", "finance:read", "refunds:read", "subscriptions:read", "affiliations:read", "reports:read"]


# ---- the targets: every field with arguments, and the shortest selection that reaches it -----------------------


@dataclass(frozen=True)
class Target:
    operation: str  # "query" or "mutation"
    path: tuple[str, ...]  # field names from the root, the target's last
    parent: GraphQLObjectType
    field: GraphQLField

    @property
    def name(self) -> str:
        return f"{self.parent.name}.{self.path[-1]}"


def _required(field: GraphQLField) -> bool:
    return any(isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined for arg in field.args.values())


def _reachable(root: GraphQLObjectType) -> dict[str, tuple[GraphQLObjectType, tuple[str, ...]]]:
    """Every object type a query reaches through fields that need no argument, with the shortest path to it."""
    found: dict[str, tuple[GraphQLObjectType, tuple[str, ...]]] = {root.name: (root, ())}
    level = [root.name]
    while level:
        following = []
        for name in level:
            type_, path = found[name]
            for field_name, field_ in type_.fields.items():
                inner = get_named_type(field_.type)
                if _required(field_) or not isinstance(inner, GraphQLObjectType) or inner.name in found:
                    continue
                found[inner.name] = (inner, (*path, field_name))
                following.append(inner.name)
        level = following
    return found


def _targets(schema: GraphQLSchema) -> list[Target]:
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    targets = []
    for type_, path in _reachable(schema.query_type).values():
        targets += [Target("query", (*path, name), type_, f) for name, f in type_.fields.items() if f.args]
    mutation = schema.mutation_type
    targets += [Target("mutation", (name,), mutation, f) for name, f in mutation.fields.items() if f.args]
    return targets


TARGETS = _targets(SCHEMA)


def _ambiguous(schema: GraphQLSchema) -> set[str]:
    """Fields of Node types whose type differs between them: fragments on `node` may not select them together."""
    types: dict[str, set[str]] = {}
    for type_ in schema.get_possible_types(NODE):
        for name, field_ in type_.fields.items():
            types.setdefault(name, set()).add(str(field_.type))
    return {name for name, found in types.items() if len(found) > 1}


AMBIGUOUS_IN_FRAGMENTS = frozenset(_ambiguous(SCHEMA))


def _selection(type_: GraphQLNamedType, depth: int = 0, skipped: frozenset[str] = frozenset()) -> str:
    """`__typename` and the scalars of the type, and one level down the scalars of its objects (for a mutation's
    payload that includes `userErrors { field message code }`); for `Node`, a fragment on each of its types."""
    if isinstance(type_, GraphQLInterfaceType):
        fragments = " ".join(
            f"... on {t.name} {_selection(t, depth + 1, AMBIGUOUS_IN_FRAGMENTS)}"
            for t in SCHEMA.get_possible_types(type_)
        )
        return f"{{ __typename id {fragments} }}"
    assert isinstance(type_, GraphQLObjectType)
    parts = ["__typename"]
    for name, field_ in type_.fields.items():
        inner = get_named_type(field_.type)
        if _required(field_) or name in skipped:
            continue
        if is_leaf_type(inner):
            parts.append(name)
        elif depth == 0 and not field_.args and isinstance(inner, GraphQLObjectType):
            parts.append(f"{name} {_selection(inner, 1)}")
    return "{ " + " ".join(parts) + " }"


# ---- values at the edges of each type ----------------------------------------------------------------------
#
# Each value is drawn "usual" (what the API's rules take, at their edges: the first and the last day, every
# offset, 20 digits on each side of the point, pages of 1 and 100, another producer's ids, cursors of the list)
# or "odd" (what they refuse: out of range, another spelling, another JSON type, null for a non-null, an empty
# list). How often is drawn per request (`Draw.odd_percent`): some requests are refused at every step, others
# reach the database with every value at an edge.


@dataclass(frozen=True)
class Raw:
    """A JSON number written as is (`1e400`, `-0`), which Python's own numbers cannot spell."""

    text: str


INTS = [0, 1, -1, 2, 20, 99, 100, 101, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**53 + 1, 2**63 - 1, 2**63,
        -(2**63) - 1, 2**64, 10**30, 10**400]  # fmt: skip
PAGE_SIZES = [1, 2, 3, 20, 99, 100]
WRONG = [True, False, 1.5, -0.0, 1e300, "1", "", [], {}, [1], {"a": 1}, Raw("1e400"), Raw("-1e400"), Raw("1.0"),
         Raw("-0"), Raw("1E2")]  # fmt: skip
STRINGS = [
    "", " ", "\t\r\n", "a", "x" * 10_000, "é" * 5_000, "١٩٩٤", "１２３", "𝟙𝟚𝟛", "\u202eevil", "שָׁלוֹם", "مرحبا",
    "😀", "👩\u200d👩\u200d👧\u200d👦", "e\u0301", "İ", "ß", "ﬃ", "\ufeff", "\u2028", "'; drop table sales; --",
    "1' or '1'='1", "%", "_", "\\", "%_\\", "\\%", "NULL", "null", "$1", "{}", "\x1b[31m", "a" * 255, "a" * 256,
    "\U0010ffff", "\x7f", "\uffff", "a\\", "*", ".*", "(?i)", "🄰", "\x01", "\ud800", "\udfff", "a\ud83d",
]  # fmt: skip
NUL_STRINGS = ["\x00", "a\x00b", "\x00" * 3]
UNKNOWN_ENUM_VALUES = ["NOPE", "", " ", "null", "true", "😀", "\ud800", "A\udfff"]
UNKNOWN_FIELDS = ["unknownField", "limit", "__typename", "", "é", "\ud800", "status\udfff"]
ODD_ID_TEXTS = [
    "Sale:١٩٩٤", "Sale:１９９４", "Sale: +1", "Sale:+1", "Sale:-1", "Sale:0", "Sale:1_0", "Sale:01", "Sale:1 ",
    " Sale:1", "Sale:1\n", "sale:1", "SALE:1", "Sale:1.0", "Sale:1e3", "Sale:9223372036854775807",
    "Sale:9223372036854775808", "Sale:99999999999999999999", "Sale:", ":1", "Sale", "Sale:1:1", "Node:1",
    "Query:1", "Money:1", "Admin:1", "Ｓale:1", "Sale:\x001", "Sale:²", "Sale:𝟙", "Producer:0", "Producer:3",
]  # fmt: skip
ODD_IDS = ["", " ", "%%%", "=", "====", "\x00", "U2FsZToxCg==", "not base64", "A" * 10_000, "😀", "U2FsZTox\n",
           "U2FsZTox===", "U2FsZTox", "VTJGc1pUb3g="]  # fmt: skip
ODD_CURSOR_VALUES: list[Any] = [
    "1e-20000", "1E+20000", "NaN", "-NaN", "sNaN", "Infinity", "-0", "0", "0.00", "-1.00", "99999999999999999999.99",
    "9" * 21, "١٢٣", "１２３", " 1", "1 ", "+1", "1_0", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
    "1900-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "9998-12-31T23:59:59Z", "9999-01-01T00:00:00Z",
    "2026-01-01T00:00:00", "2026-01-01", "", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00+24:00", 1, 1.5, None, True,
    [], {}, 10**400,
]  # fmt: skip
ODD_CURSOR_KEYS: list[Any] = [1, 0, -1, 2**63 - 1, 2**63, 10**30, 1.5, "1", True, False, None, Raw("1e400"), [1], {}]
# sort values a cursor may hold (`resolvers/values.py`), at their edges
EDGE_MOMENTS = ["1900-01-01T00:00:00Z", "1900-01-01T14:00:00+14:00", "9998-12-31T23:59:59.999999Z",
                "9998-12-31T11:59:59.999999-12:00", "2026-01-01T00:00:00.5+05:45", "1970-01-01T00:00:00-00:00"]  # fmt: skip
EDGE_AMOUNTS = ["0", "0.00", "-0.00", "99999999999999999999.99999999999999999999", "-99999999999999999999",
                "00000000000000000001.1", "12.34"]  # fmt: skip
ODD_DAYS = [
    "0001-01-01", "1899-12-31", "9999-01-01", "9999-12-31", "2023-02-29", "2024-02-30", "2026-13-01", "2026-00-10",
    "2026-01-00", "0000-01-01", "10000-01-01", "+2026-01-01", "-0001-01-01", "2026-1-1", "20260101", "2026-W01-1",
    "2026-W53", "2026-001", "２０２６-01-01", "٢٠٢٦-٠١-٠١", "2026-01-01T00:00:00Z", " 2026-01-01", "2026-01-01 ", "",
    "2026/01/01", "2026-01-01\x00", "2026-०१-01", "today",
]  # fmt: skip
EDGE_DAYS = [date(1900, 1, 1), date(1900, 1, 2), date(9998, 12, 31), date(9998, 12, 30), date(2024, 2, 29),
             date(2000, 2, 29), date(1970, 1, 1)]  # fmt: skip
REAL_OFFSETS = ["Z", "+00:00", "-00:00", "+05:45", "+05:30", "-03:30", "+12:45", "-09:30", "+13:45", "+08:45",
                "+10:30", *(f"{hour:+03d}:00" for hour in range(-12, 15))]  # fmt: skip
ODD_OFFSETS = ["z", "", "+14:01", "-12:01", "+24:00", "+23:59", "-23:59", "+1400", "+14", "+00:00:01", "+05:45:30",
               "+99:99", "UTC", " +01:00"]  # fmt: skip
ODD_DATE_TIMES = [
    "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z",
    "2026-01-01T23:59:60Z", "2026-01-01", "yesterday", "", "2026-01-01T00:00:00+14:00[Pacific/Kiritimati]",
    "-2026-01-01T00:00:00Z", "+002026-01-01T00:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00,5Z",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "1900-01-01T00:00:00+00:01", "1899-12-31T23:59:59-00:01",
    "9998-12-31T23:59:59.999999-12:00", "9999-01-01T00:00:00Z", "1900-01-01T13:59:59+14:00",
]  # fmt: skip
ODD_DECIMALS = [
    "0.001", "1.001", "0.005", "+1.00", " 1.00", "1.00 ", "1e2", "1E-20000", "1e20000", "NaN", "nan", "-NaN", "sNaN",
    "Infinity", "-Infinity", "inf", "1_000.00", "１.００", "١.٠٠", "1,00", ".5", "5.", "9" * 21,
    "0." + "0" * 20 + "1", "", " ", "0x10", "1.2.3", "—1", "1.00\x00", "--1", "1.", "-",
]  # fmt: skip
AMOUNTS = ["0.01", "0.1", "1", "1.00", "10.00", "100.00", "250.00", "0", "0.00", "-1.00", "-0.01", "90.00", "90.01",
           "30.00", "45.5", "00001.00", "999999999999.99", "1000000000000.00", "99999999999999999999.99",
           "99999999999999999999.99999999999999999999"]  # fmt: skip
IDEMPOTENCY_KEYS = ["payout-1", "payout-2", "k", "K", "k ", "a" * 255, "a" * 256, "", " ", "😀", "ключ"]
DIGITS = {
    "arabic-indic": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"),
    "fullwidth": str.maketrans("0123456789", "０１２３４５６７８９"),
    "devanagari": str.maketrans("0123456789", "०१२३४५६७८९"),
}


@dataclass(repr=False)
class World:
    """What the seeded database holds that the values draw from."""

    keys: list[str]  # producer 1, producer 2, producer 2 with read scopes only
    ids: dict[str, list[str]]  # valid ids by type, of both producers, in every state there is
    missing_ids: dict[str, list[str]]  # well-formed ids of no row, by type
    cursors: dict[str, list[str]]  # cursors the API gave out, by the field of their list
    transaction_codes: list[str]
    emails: list[str]
    anchor: date


@dataclass(frozen=True)
class Draw:
    """How one request draws its values: from what, and how often odd."""

    world: World
    field: str  # the target field's name
    odd_percent: int

    def pick(self, usual: st.SearchStrategy[Any], *odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        if self.odd_percent == 0:
            return usual
        if self.odd_percent == 100:
            return st.one_of(*odd)
        # the odd ones at the top: hypothesis leans to small numbers, and shrinks to them
        return st.integers(0, 99).flatmap(lambda n: st.one_of(*odd) if n >= 100 - self.odd_percent else usual)

    def odd(self) -> st.SearchStrategy[bool]:
        return self.pick(st.just(False), st.just(True))


def _sometimes_null(strategy: st.SearchStrategy[Any], odds: int) -> st.SearchStrategy[Any]:
    """The strategy, or null once in `odds` draws."""
    return st.sampled_from([False] * (odds - 1) + [True]).flatmap(lambda null: st.none() if null else strategy)


def _digits(text: str, style: str) -> str:
    return text.translate(DIGITS[style]) if style in DIGITS else text


def _usual_day_values(world: World) -> st.SearchStrategy[date]:
    return st.one_of(
        st.sampled_from(EDGE_DAYS),
        st.dates(date(1900, 1, 1), date(9998, 12, 31)),
        st.dates(world.anchor - timedelta(days=800), world.anchor + timedelta(days=30)),
    )


@st.composite
def _odd_days(draw: st.DrawFn) -> str:
    day = draw(st.one_of(st.dates(), st.dates(date(9998, 12, 20), date(9999, 12, 31))))  # year 1 to 9999
    style = draw(st.sampled_from(["iso", "week", "ordinal", "basic", "with time", *DIGITS]))
    if style == "week":
        year, week, weekday = day.isocalendar()
        return f"{year:04d}-W{week:02d}-{weekday}"
    if style == "ordinal":
        return f"{day.year:04d}-{day.timetuple().tm_yday:03d}"
    if style == "basic":
        return f"{day.year:04d}{day.month:02d}{day.day:02d}"
    if style == "with time":
        return f"{day.isoformat()}T00:00:00Z"
    return _digits(day.isoformat(), style)


def days(d: Draw) -> st.SearchStrategy[Any]:
    usual = _usual_day_values(d.world).map(date.isoformat)
    return d.pick(usual, _odd_days(), st.sampled_from(ODD_DAYS), st.sampled_from(WRONG))


@st.composite
def _date_times(draw: st.DrawFn, world: World, odd: bool) -> str:
    near = datetime.combine(world.anchor, time.min)
    moment = draw(
        st.one_of(
            st.datetimes(datetime(1, 1, 1) if odd else datetime(1900, 1, 2), datetime(9998, 12, 30)),
            st.datetimes(datetime(1899, 12, 31) if odd else datetime(1900, 1, 1, 14), datetime(1900, 1, 2)),
            st.datetimes(datetime(9998, 12, 30), datetime(9999, 12, 31, 23, 59, 59) if odd else datetime(9998, 12, 31)),
            st.datetimes(near - timedelta(days=800), near + timedelta(days=30)),
        )
    )
    offset = draw(st.sampled_from(REAL_OFFSETS + (ODD_OFFSETS if odd else [])))
    fraction = draw(st.sampled_from(["", "", "", ".0", ".5", ".123", ".123456", *([".1234567", ".123456789"] * odd)]))
    separator = draw(st.sampled_from(["T", " ", "t"])) if odd else "T"
    clock = f"{moment.hour:02d}:{moment.minute:02d}"
    if draw(st.sampled_from([True] * 7 + [False])):
        clock += f":{moment.second:02d}{fraction}"
    text = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}{separator}{clock}{offset}"
    return _digits(text, draw(st.sampled_from(list(DIGITS)))) if odd and draw(st.booleans()) else text


def date_times(d: Draw) -> st.SearchStrategy[Any]:
    usual = st.one_of(_date_times(d.world, odd=False), st.sampled_from(EDGE_MOMENTS))
    return d.pick(usual, _date_times(d.world, odd=True), st.sampled_from(ODD_DATE_TIMES), st.sampled_from(WRONG))


def decimals(d: Draw) -> st.SearchStrategy[Any]:
    usual = st.one_of(
        st.sampled_from(AMOUNTS),
        st.decimals(places=2, min_value=0, max_value=500).map(str),
        st.decimals(places=2, min_value=-(10**6), max_value=10**6).map(str),
    )
    return d.pick(
        usual,
        st.sampled_from(ODD_DECIMALS),
        st.decimals().map(str),  # NaN, sNaN, Infinity, exponents of every size
        st.sampled_from([1, 100, 0, -1, 1.5, 0.01, 1e-300, 1e300, 10**40, Raw("1e400"), Raw("1.00"), Raw("-0")]),
        st.sampled_from(WRONG),
    )


def ints(d: Draw) -> st.SearchStrategy[Any]:
    return d.pick(st.sampled_from(PAGE_SIZES), st.sampled_from(INTS), st.integers(), st.sampled_from(WRONG))


def strings(d: Draw, *pools: list[str]) -> st.SearchStrategy[Any]:
    usual = st.one_of(*(st.sampled_from(pool) for pool in pools), st.sampled_from(STRINGS), st.text(max_size=40))
    return d.pick(usual, st.sampled_from(NUL_STRINGS), st.sampled_from(WRONG))


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


def _mangled(global_id: str) -> st.SearchStrategy[str]:
    decoded = base64.b64decode(global_id).decode()
    return st.sampled_from(
        [
            global_id.rstrip("="),
            global_id + "=",
            global_id.lower(),
            global_id.replace("+", "-").replace("/", "_"),
            f" {global_id}",
            f"{global_id}\n",
            f"{global_id}\x00",
            _base64(global_id),
            decoded,
            _base64(decoded.replace(":", ": ")),
            _base64(decoded + "\n"),
            _base64(decoded.translate(DIGITS["arabic-indic"])),
            _base64(decoded.replace(":", ":0")),
            _base64(decoded.lower()),
        ]
    )


def ids(d: Draw, hint: str) -> st.SearchStrategy[Any]:
    """Ids of the type the argument (else its field) names, of either producer or of no row; else of any type."""
    last = hint.rsplit(".", 1)[-1].lower()
    named = [name for name in d.world.ids if name.lower() in last]
    named = [name for name in named if len(name) == max(map(len, named))]  # the most specific: WebhookSubscription
    named = named or [name for name in d.world.ids if name.lower() in hint.lower()] or list(d.world.ids)
    valid = [global_id for name in named for global_id in d.world.ids[name]]
    missing = [global_id for name in named for global_id in d.world.missing_ids[name]]
    every = [global_id for group in d.world.ids.values() for global_id in group]
    return d.pick(
        st.sampled_from([valid, valid, valid, missing]).flatmap(st.sampled_from),
        st.sampled_from(every),
        st.sampled_from(ODD_ID_TEXTS).map(_base64),
        st.sampled_from(ODD_IDS),
        st.sampled_from(every).flatmap(_mangled),
        st.text(max_size=20).map(_base64),
        st.sampled_from(WRONG),
    )


def _json(value: Any, ascii_only: bool = True) -> str:
    """JSON text of a value, `Raw` numbers as written."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(f"{_json(str(k), ascii_only)}:{_json(v, ascii_only)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(item, ascii_only) for item in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


def _cursor(payload: Any, encoding: str = "urlsafe", ascii_only: bool = True) -> str:
    raw = _json(payload, ascii_only).encode("utf-8", "surrogatepass")
    if encoding == "standard":
        return base64.b64encode(raw).decode()
    text = base64.urlsafe_b64encode(raw).decode()
    return text.rstrip("=") if encoding == "unpadded" else text


def _cursor_names(cursors: list[str]) -> list[str]:
    return sorted({json.loads(base64.urlsafe_b64decode(cursor))[0] for cursor in cursors})


@st.composite
def _edge_cursors(draw: st.DrawFn, names: list[str]) -> str:
    """Cursors of the list with sort values at the edges of what a cursor may hold."""
    name = draw(st.sampled_from(names))
    value = draw(st.sampled_from(EDGE_AMOUNTS if "amount" in name else EDGE_MOMENTS))
    return _cursor([name, value, draw(st.sampled_from([1, 2, 2**63 - 1]))])


@st.composite
def _odd_cursors(draw: st.DrawFn, names: list[str]) -> str:
    name = draw(st.sampled_from([*names, "sales:gross_amount:asc", "nope", "", 1, None]))
    value = draw(st.sampled_from(ODD_CURSOR_VALUES + EDGE_MOMENTS + EDGE_AMOUNTS))
    key = draw(st.sampled_from(ODD_CURSOR_KEYS))
    shape = draw(st.sampled_from(["list"] * 6 + ["short", "long", "object", "string", "number"]))
    payload: Any = {
        "list": [name, value, key],
        "short": [name, value],
        "long": [name, value, key, key],
        "object": {"name": name, "value": value, "id": key},
        "string": "abc",
        "number": 3,
    }[shape]
    encoding = draw(st.sampled_from(["urlsafe", "urlsafe", "standard", "unpadded"]))
    return _cursor(payload, encoding, ascii_only=draw(st.booleans()))


def cursors(d: Draw) -> st.SearchStrategy[Any]:
    own = d.world.cursors.get(d.field) or d.world.cursors["sales"]
    every = [cursor for group in d.world.cursors.values() for cursor in group]
    names = _cursor_names(every)
    return d.pick(
        st.one_of(st.sampled_from(own), _edge_cursors(_cursor_names(own))),
        st.sampled_from(every),
        _odd_cursors(names),
        st.sampled_from(own).map(lambda cursor: cursor[:-4]),
        st.sampled_from(own).map(lambda cursor: cursor + "=="),
        st.sampled_from(["%%%not-base64%%%", "", " ", "\x00", "😀", "===="]),
        st.sampled_from(STRINGS),
        st.sampled_from(WRONG),
    )


@st.composite
def _periods(draw: st.DrawFn, d: Draw, odd: bool) -> dict[str, Any]:
    """Days near the ends of the calendar and of the data, every length up to the limit (and past it, if odd)."""
    first = draw(_usual_day_values(d.world) if not odd else st.one_of(st.sampled_from(EDGE_DAYS), st.dates()))
    length = draw(st.sampled_from([0, 1, 6, 7, 30, 31, 365, 366, 3659] + ([3660, 100_000, -1, -3659] if odd else [])))
    try:
        last = first + timedelta(days=length)
    except OverflowError:
        last = first
    if not odd and last > date(9998, 12, 31):
        first, last = first - timedelta(days=length), first
    return {"from": first.isoformat(), "to": last.isoformat()}


def values(type_: GraphQLInputType, hint: str, d: Draw) -> st.SearchStrategy[Any]:
    """Values of an input type: usual ones and odd ones, and null where the type allows it (or, odd, where not)."""
    if isinstance(type_, GraphQLNonNull):
        return d.pick(_non_null_values(type_.of_type, hint, d), st.none())
    return _sometimes_null(_non_null_values(type_, hint, d), 8)


def _non_null_values(type_: GraphQLInputType, hint: str, d: Draw) -> st.SearchStrategy[Any]:
    if isinstance(type_, GraphQLList):
        item = values(type_.of_type, hint, d)
        usual = st.one_of(st.lists(item, min_size=1, max_size=1), st.lists(item, min_size=2, max_size=6), item)
        return d.pick(usual, st.just([]))
    if isinstance(type_, GraphQLInputObjectType):
        objects = _input_objects(type_, d)
        if type_.name == "DateRangeInput":
            return d.pick(_periods(d, odd=False), _periods(d, odd=True), objects)
        return objects
    if isinstance(type_, GraphQLEnumType):
        names = list(type_.values)
        unknown = [*UNKNOWN_ENUM_VALUES, f"{names[0]} ", names[0].title()]
        held = ["BRL", "USD", "EUR"] if type_.name == "CurrencyCode" else names  # the seeded producers' currencies
        return d.pick(
            st.one_of(st.sampled_from(held), st.sampled_from(names)),
            st.sampled_from(names).map(str.lower),
            st.sampled_from(unknown),
            st.sampled_from(WRONG),
        )
    assert isinstance(type_, GraphQLScalarType), type_
    return _scalars(type_.name, hint, d)


def _scalars(name: str, hint: str, d: Draw) -> st.SearchStrategy[Any]:
    last = hint.rsplit(".", 1)[-1]
    strategies: dict[str, Callable[[], st.SearchStrategy[Any]]] = {
        "Int": lambda: ints(d),
        "Boolean": lambda: d.pick(st.booleans(), st.sampled_from(WRONG)),
        "ID": lambda: ids(d, hint),
        "Date": lambda: days(d),
        "DateTime": lambda: date_times(d),
        "Decimal": lambda: decimals(d),
    }
    if name in strategies:
        return strategies[name]()
    assert name == "String", name
    if last in ("after", "before"):
        return cursors(d)
    if last in ("transactionCode", "buyerEmail", "search"):
        return strings(d, d.world.transaction_codes, d.world.emails)
    if last == "idempotencyKey":
        return strings(d, IDEMPOTENCY_KEYS)
    return strings(d)


def _ordered(drawn: dict[str, Any]) -> None:
    """Swap a `...From` after its `...To` (both date-times), which the API refuses."""
    for name in [name for name in drawn if name.endswith("From")]:
        pair = name[: -len("From")] + "To"
        try:
            first, last = datetime.fromisoformat(drawn[name]), datetime.fromisoformat(drawn[pair])
            if first > last:
                drawn[name], drawn[pair] = drawn[pair], drawn[name]
        except (KeyError, TypeError, ValueError):
            continue


def _input_objects(type_: GraphQLInputObjectType, d: Draw) -> st.SearchStrategy[dict[str, Any]]:
    @st.composite
    def objects(draw: st.DrawFn) -> dict[str, Any]:
        drawn: dict[str, Any] = {}
        for name, input_field in type_.fields.items():
            if draw(st.booleans()) or (isinstance(input_field.type, GraphQLNonNull) and not draw(d.odd())):
                drawn[name] = draw(values(input_field.type, f"{type_.name}.{name}", d))
        if not draw(d.odd()):
            _ordered(drawn)
        if draw(d.odd()) and draw(st.booleans()):
            drawn[draw(st.sampled_from(UNKNOWN_FIELDS))] = draw(ints(d))
        return drawn

    return objects()


# ---- documents -----------------------------------------------------------------------------------------------


@dataclass
class Request:
    target: str
    key_index: int
    query: str
    variables: dict[str, Any] | None
    body: bytes = b""
    method: str = "POST"

    def __repr__(self) -> str:
        return self.shown()

    def shown(self) -> str:
        variables = _json(self.variables) if self.variables is not None else "null"
        if len(variables) > 3_000:
            variables = variables[:3_000] + "..."
        return f"target {self.target}, key #{self.key_index}\nquery: {self.query[:3_000]}\nvariables: {variables}"


def _literal(value: Any, type_: GraphQLInputType | None, style: str) -> str:
    """The GraphQL literal of a value, typed where the type says how (enums are names, not strings)."""
    if value is None:
        return "null"
    if isinstance(type_, GraphQLNonNull):
        return _literal(value, type_.of_type, style)
    if isinstance(type_, GraphQLList) and isinstance(value, list):
        return "[" + ", ".join(_literal(item, type_.of_type, style) for item in value) + "]"
    if isinstance(value, dict):
        fields = type_.fields if isinstance(type_, GraphQLInputObjectType) else {}
        inner = [
            f"{key or '_'}: {_literal(item, getattr(fields.get(key), 'type', None), style)}"
            for key, item in value.items()
        ]
        return "{" + ", ".join(inner) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item, None, style) for item in value) + "]"
    if isinstance(type_, GraphQLEnumType) and isinstance(value, str) and value.isidentifier() and value.isascii():
        return value if value not in ("true", "false", "null") else f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, int | float):
        return repr(value) if value == value and abs(value) != float("inf") else "0"
    text = str(value)
    if style == "braces":  # GraphQL's variable-width escapes, which JSON has no spelling of
        return '"' + "".join(_brace(c) for c in text) + '"'
    return json.dumps(text, ensure_ascii=style == "ascii")


def _brace(c: str) -> str:
    if " " <= c < "\x7f" and c not in '"\\':
        return c
    return f"\\u{{{ord(c):X}}}"


WINDOW = ("first", "after", "last", "before")
WINDOW_SHAPES = [(), ("first",), ("first", "after"), ("last",), ("last", "before"), ("before",), ("after",)]


@st.composite
def requests(draw: st.DrawFn, target: Target, world: World) -> Request:
    """A document calling the target with drawn arguments (variables, literals, both), and who sends it."""
    d = Draw(world, target.path[-1], draw(st.sampled_from([0, 0, 0, 0, 5, 10, 20, 50, 100])))
    definitions: list[str] = []
    variables: dict[str, Any] = {}
    arguments: list[str] = []
    style = draw(st.sampled_from(["ascii", "ascii", "unicode", "braces"]))
    counter = iter(range(1_000))

    def variable(type_: GraphQLInputType, value: Any) -> str:
        name = f"v{next(counter)}"
        declared = str(type_)
        if draw(d.odd()):
            change = draw(st.sampled_from(["looser", "stricter", "default", "unset"]))
            if change == "looser" and isinstance(type_, GraphQLNonNull):
                declared = str(type_.of_type)  # too loose for the position: a validation error
            elif change == "stricter" and not isinstance(type_, GraphQLNonNull):
                declared = f"{type_}!"  # stricter than the position: fine, unless the value is null
            elif change == "default":
                declared += f" = {_literal(draw(values(type_, name, d)), type_, style)}"
            if change != "unset":
                variables[name] = value
        else:
            variables[name] = value
        definitions.append(f"${name}: {declared}")
        return f"${name}"

    shape = draw(st.sampled_from([*WINDOW_SHAPES, None]))  # None: each of them drawn on its own
    for name, argument in target.field.args.items():
        if name in WINDOW and shape is not None and name not in shape:
            continue
        value = draw(values(argument.type, f"{target.path[-1]}.{name}", d))
        named = get_named_type(argument.type)
        modes = ["variable", "variable", "variable", "literal", "literal"]
        if isinstance(named, GraphQLInputObjectType) and isinstance(value, dict):
            modes.append("object of variables")
        if not isinstance(argument.type, GraphQLNonNull) and name not in (shape or ()):
            modes.append("omitted")
        left_out = isinstance(argument.type, GraphQLNonNull) and draw(d.odd()) and draw(st.booleans())
        mode = "" if left_out else draw(st.sampled_from(modes))
        if mode == "variable":
            arguments.append(f"{name}: {variable(argument.type, value)}")
        elif mode == "literal":
            arguments.append(f"{name}: {_literal(value, argument.type, style)}")
        elif mode == "object of variables":
            assert isinstance(named, GraphQLInputObjectType)
            inner = []
            for key, item in value.items():
                input_field = named.fields.get(key)
                if input_field is not None and draw(st.booleans()):
                    inner.append(f"{key}: {variable(input_field.type, item)}")
                else:
                    inner.append(f"{key or '_'}: {_literal(item, getattr(input_field, 'type', None), style)}")
            arguments.append(f"{name}: {{{', '.join(inner)}}}")
    call = f"{target.path[-1]}({', '.join(arguments)})" if arguments else target.path[-1]
    text = f"{call} {_selection(get_named_type(target.field.type))}"
    for outer in reversed(target.path[:-1]):
        text = f"{outer} {{ {text} }}"
    header = f"{target.operation} Generated({', '.join(definitions)})" if definitions else target.operation
    query = f"{header} {{ {text} }}"
    sent = variables if variables or draw(st.booleans()) else None
    key_index = draw(st.sampled_from([0, 0, 0, 0, 1, 1, 1, 1, 2]))
    request = Request(target.name, key_index, query, sent)
    payload = _json({"query": query, "variables": sent}, ascii_only=style != "unicode")
    request.body = payload.encode("utf-8", "surrogatepass")
    return request


# ---- the seeded gateway -------------------------------------------------------------------------------------


@dataclass
class Gateway:
    client: httpx.AsyncClient
    owner: asyncpg.Connection
    world: World
    logged: list[logging.LogRecord]

    def __repr__(self) -> str:
        return "Gateway(the seeded app)"


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def logged() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []
    handler = _Collect(records)
    logging.getLogger().addHandler(handler)
    try:
        yield records
    finally:
        logging.getLogger().removeHandler(handler)


async def _arrange(connection: asyncpg.Connection, anchor: datetime) -> list[str]:
    """Two seeded producers at the ends of the offsets, rows in every state the mutations act on, and the keys."""
    await seed(connection, producers=2, sales=1_500, seed=3, anchor=anchor)
    await connection.execute("update producers set time_zone = 'Etc/GMT-14' where id = 1")  # +14:00
    await connection.execute("update producers set time_zone = 'Etc/GMT+12' where id = 2")  # -12:00
    moment = anchor - timedelta(days=3)
    for producer_id in (1, 2):
        product_id, buyer_id = await connection.fetchrow(
            "select p.id, b.id from products p, buyers b where p.producer_id = $1 and b.producer_id = $1 limit 1",
            producer_id,
        )
        seller = Seller(id=producer_id, key="", product_id=product_id, buyer_id=buyer_id)
        made = await connection.fetch(
            "select id, currency, least(gross_amount, 10.00)::text as amount from sales where producer_id = $1"
            " and status in ('APPROVED', 'COMPLETE') and gross_amount > 0 order by id limit 3",
            producer_id,
        )
        for sale in made:
            await make_refund(
                connection, seller, sale_id=sale["id"], requested_at=moment, status="REQUESTED",
                amount=sale["amount"], currency=sale["currency"].strip(),
            )  # fmt: skip
        affiliate_id = await connection.fetchval("select id from affiliates where producer_id = $1", producer_id)
        if affiliate_id is not None:
            await make_receipt(
                connection, seller, affiliate_id=affiliate_id, issued_at=moment, period_from=anchor.date(),
                period_to=anchor.date(),
            )  # fmt: skip
        await make_subscription(connection, seller, started_at=moment, status="CANCELLED_BY_SELLER")
        # a webhook endpoint, and a delivery to it: the sale below is an event it wants
        await connection.execute(
            "insert into webhook_subscriptions (producer_id, url, topics, secret)"
            " values ($1, 'https://example.com/hook', '{sale.created}', 'whsec_arranged')",
            producer_id,
        )
        await make_sale(connection, seller, created_at=moment)
    keys = [(await create_key(connection, producer, name="generated")).secret for producer in (1, 2)]
    keys.append((await create_key(connection, 2, name="generated, read only", scopes=READ_SCOPES)).secret)
    return keys


async def _withdraw(client: httpx.AsyncClient, keys: list[str]) -> None:
    """A REQUESTED withdrawal of each producer, through the API (its ledger entries with it)."""
    query = (
        'mutation { requestWithdrawal(input: {amount: "1.00", currency: BRL, idempotencyKey: "arranged"})'
        " { withdrawal { status } userErrors { code } } }"
    )
    for key in keys[:2]:
        response = await client.post("/graphql", json={"query": query}, headers={"authorization": f"Bearer {key}"})
        assert response.json()["data"] == {"requestWithdrawal": {"withdrawal": {"status": "REQUESTED"},
                                                                 "userErrors": []}}  # fmt: skip


async def _ids(connection: asyncpg.Connection) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Ids of every type: two of each producer in each status, and two well-formed ones of no row."""
    found: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    for type_name in NODE_TYPES:
        table = TABLE_OF_TYPE[type_name]
        columns = {row[0] for row in await connection.fetch(
            "select column_name from information_schema.columns where table_name = $1", table)}  # fmt: skip
        owner = "id" if table == "producers" else "producer_id"
        group = f"{owner}, status" if "status" in columns else owner
        rows = await connection.fetch(
            f"select id from (select id, row_number() over (partition by {group} order by id) as n from {table}) t"
            " where n <= 2 order by id"
        )
        found[type_name] = [to_global_id(type_name, row["id"]) for row in rows]
        top = await connection.fetchval(f"select coalesce(max(id), 0) from {table}")
        missing[type_name] = [to_global_id(type_name, top + 1_000), to_global_id(type_name, 2**63 - 1)]
    return found, missing


async def _cursors(client: httpx.AsyncClient, keys: list[str]) -> dict[str, list[str]]:
    """Cursors the API gives out, by the field of their list (`sales` in both its orders)."""
    lists = ["sales", "lostSales", "statement", "withdrawals", "prepayments", "receipts", "refunds", "subscriptions",
             "affiliations", "products"]  # fmt: skip
    page = "pageInfo { startCursor endCursor }"
    queries = [(name, f"{{ {name}(first: 2) {{ {page} }} }}") for name in lists]
    queries += [
        ("sales", f"{{ sales(first: 2, orderBy: {{field: GROSS_AMOUNT, direction: {d}}}, filter: {{currency: BRL}}) {{ {page} }} }}")
        for d in ("ASC", "DESC")
    ]  # fmt: skip
    queries.append(("charges", f"{{ subscriptions(first: 5) {{ nodes {{ charges(first: 1) {{ {page} }} }} }} }}"))
    found: dict[str, set[str]] = {}

    def collect(into: set[str], value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("startCursor", "endCursor") and isinstance(item, str):
                    into.add(item)
                else:
                    collect(into, item)
        elif isinstance(value, list):
            for item in value:
                collect(into, item)

    for key in keys[:2]:
        for field_name, query in queries:
            response = await client.post("/graphql", json={"query": query}, headers={"authorization": f"Bearer {key}"})
            body = response.json()
            assert "errors" not in body, (query, body)
            collect(found.setdefault(field_name, set()), body["data"])
    assert all(found.values()), found
    return {field_name: sorted(group) for field_name, group in found.items()}


@pytest.fixture(scope="module")
async def gateway(new_database: NewDatabase, logged: list[logging.LogRecord]) -> AsyncIterator[Gateway]:
    url = await new_database()
    owner = await asyncpg.connect(url)
    anchor = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
    keys = await _arrange(owner, anchor)
    codes = [row[0] for row in await owner.fetch("select transaction_code from sales order by id limit 5")]
    emails = [row[0] for row in await owner.fetch("select email from buyers order by id limit 5")]
    try:
        async with running_gateway(url) as (_, client):
            await _withdraw(client, keys)
            found_ids, missing_ids = await _ids(owner)
            world = World(
                keys=keys,
                ids=found_ids,
                missing_ids=missing_ids,
                cursors=await _cursors(client, keys),
                transaction_codes=codes,
                emails=emails + [email.upper() for email in emails],
                anchor=anchor.date(),
            )
            yield Gateway(client, owner, world, logged)
    finally:
        await owner.close()


SNAPSHOT_TABLES = ["producers", "products", "buyers", "sales", "lost_sales", "refunds", "withdrawals",
                   "statement_entries", "subscriptions", "affiliations", "receipts", "prepayments", "api_keys"]  # fmt: skip


async def _rows(connection: asyncpg.Connection) -> dict[str, str]:
    """md5 per table: `_snapshot`'s tables, and any other but the audit log (written for every attempt)."""
    rows = dict(zip(SNAPSHOT_TABLES, await _snapshot(connection), strict=True))
    for (table,) in await connection.fetch("select tablename from pg_tables where schemaname = 'public'"):
        if table not in rows and table != "audit_log":
            rows[table] = await connection.fetchval(
                f"select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from {table} t"
            )
    return rows


# ---- the property -------------------------------------------------------------------------------------------


def _refused(status: int, body: Any, target: Target) -> bool:
    """Whether the gateway refused the mutation: the request, the mutation's field or a user error."""
    if status != 200 or not isinstance(body, dict):
        return True
    for error in body.get("errors") or []:
        path = error.get("path")
        if not path or len(path) <= 1:
            return True
    payload = (body.get("data") or {}).get(target.path[-1])
    return payload is None or bool(payload.get("userErrors"))


def _problems(status: int, body: Any) -> list[str]:
    problems = []
    if status >= 500:
        problems.append(f"HTTP {status}")
    if not isinstance(body, dict):
        return [*problems, f"the body is not a JSON object: {body!r:.300}"]
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if code not in API_CODES or code in NEVER:
            problems.append(f"error code {code}: {error}")
    return problems


# per target, whether each request reached its resolver (answered without error, or with user errors)
REACHED: dict[str, list[bool]] = {}


def _reached(status: int, body: Any, target: Target) -> bool:
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        return False
    if not body.get("errors"):
        return True
    payload = body["data"].get(target.path[-1])
    return isinstance(payload, dict) and bool(payload.get("userErrors"))


async def _check(gateway: Gateway, target: Target, request: Request) -> None:
    is_mutation = target.operation == "mutation"
    before = await _rows(gateway.owner) if is_mutation else None
    gateway.logged.clear()
    headers = {"authorization": f"Bearer {gateway.world.keys[request.key_index]}", "content-type": "application/json"}
    status, body, problems = 0, None, []
    if request.method == "GET":
        params = {"query": request.query, "variables": _json(request.variables)}
        sending = gateway.client.get("/graphql", params=params, headers=headers)
    else:
        sending = gateway.client.post("/graphql", content=request.body, headers=headers)
    try:
        response = await asyncio.wait_for(sending, REQUEST_TIMEOUT_S)
    except TimeoutError:
        problems.append(f"no answer in {REQUEST_TIMEOUT_S} s")
    except Exception:
        problems.append(f"the app raised (a 500):\n{traceback.format_exc()}")
    else:
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            body = response.text
        problems += _problems(status, body)
    for record in gateway.logged:
        trace = "".join(traceback.format_exception(*record.exc_info)) if record.exc_info else ""
        problems.append(f"logged {record.levelname} {record.name}: {record.getMessage()}\n{trace}")
    if is_mutation and (problems or _refused(status, body, target)):
        after = await _rows(gateway.owner)
        changed = sorted(table for table, digest in after.items() if (before or {}).get(table) != digest)
        if changed:
            problems.append(f"a refused mutation changed rows of {', '.join(changed)}")
    REACHED.setdefault(target.name, []).append(_reached(status, body, target))
    assert not problems, f"{request.shown()}\nstatus {status}: {str(body)[:1_500]}\n" + "\n".join(problems)


def _settings() -> Callable[[Any], Any]:
    return settings(
        max_examples=EXAMPLES_PER_TARGET,
        derandomize=not RANDOM,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )


def test_every_field_with_arguments_is_a_target() -> None:
    wanted = {
        f"{type_.name}.{name}"
        for type_ in SCHEMA.type_map.values()
        if isinstance(type_, GraphQLObjectType)
        and not type_.name.startswith("__")
        # the live feed is a WebSocket's (tests/e2e/test_live_feed.py): HTTP refuses subscriptions whole
        and type_ is not SCHEMA.subscription_type
        for name, field_ in type_.fields.items()
        if field_.args
    }
    assert {target.name for target in TARGETS} == wanted
    assert {
        "Subscription.charges",
        "Affiliation.performance",
        "Reports.revenueOverTime",
        "Mutation.denyRefund",
    } <= wanted
    if "GENERATED_EXAMPLES" not in os.environ:
        assert EXAMPLES_PER_TARGET * len(TARGETS) >= 2_000


async def test_the_snapshot_sees_what_a_mutation_writes(gateway: Gateway) -> None:
    """The check of refused mutations is not vacuous: an accepted one changes the snapshot."""
    before = await _rows(gateway.owner)
    query = (
        'mutation { requestWithdrawal(input: {amount: "0.01", currency: BRL, idempotencyKey: "snapshot"})'
        " { withdrawal { status } userErrors { code } } }"
    )
    response = await gateway.client.post(
        "/graphql", json={"query": query}, headers={"authorization": f"Bearer {gateway.world.keys[0]}"}
    )
    assert response.json()["data"] == {"requestWithdrawal": {"withdrawal": {"status": "REQUESTED"}, "userErrors": []}}
    after = await _rows(gateway.owner)
    changed = {table for table in after if after[table] != before[table]}
    assert changed == {"withdrawals", "statement_entries", "ledger_daily_totals", "events"}


@pytest.mark.parametrize("target", TARGETS, ids=[target.name for target in TARGETS])
@_settings()
@given(data=st.data())
async def test_generated_arguments_get_no_internal_error(gateway: Gateway, target: Target, data: st.DataObject) -> None:
    request = data.draw(requests(target, gateway.world), label="request")
    await _check(gateway, target, request)


def _found(target: str, query: str, variables: dict[str, Any] | None, name: str, method: str = "POST") -> Any:
    return pytest.param(target, query, variables, method, id=name)


# each once answered INTERNAL or HTTP 500: a lone surrogate reached asyncpg, orjson or an error message; a NUL
# spelled as a GraphQL escape (or sent by GET) got past the check of the body and reached PostgreSQL
FOUND = [
    _found("Mutation.denyRefund", "mutation ($id: ID!, $r: String!) { denyRefund(id: $id, reason: $r) { userErrors { code } } }",
           {"id": to_global_id("Refund", 1), "r": "\ud800"}, "surrogate in a mutation's string"),
    _found("Query.sales", "query ($s: String) { sales(filter: {search: $s}) { nodes { id } } }", {"s": "\ud800"},
           "surrogate in a query's string"),
    _found("Query.salesManagement", "query ($c: CurrencyCode) { salesManagement(currency: $c) { asOf } }",
           {"c": "\ud800"}, "surrogate as an enum value"),
    _found("Query.sales", "query ($f: SaleFilter) { sales(filter: $f) { totalCount } }", {"f": {"\ud800": 1}},
           "surrogate as an input field's name"),
    _found("Query.sale", 'query { sale(transactionCode: "\\u{0}") { id } }', None, "NUL by an escape in a query's literal"),
    _found("Mutation.requestWithdrawal", 'mutation { requestWithdrawal(input: {amount: "0.01", currency: BRL,'
           ' idempotencyKey: "\\u{0}"}) { userErrors { code } } }', None, "NUL by an escape in a mutation's literal"),
    _found("Query.sales", "query ($s: String) { sales(filter: {search: $s}) { totalCount } }", {"s": "a\x00b"},
           "NUL in the variables of a GET", method="GET"),
]  # fmt: skip


@pytest.mark.parametrize(("target_name", "query", "variables", "method"), FOUND)
async def test_what_the_generator_found(
    gateway: Gateway, target_name: str, query: str, variables: dict[str, Any] | None, method: str
) -> None:
    """One request for each kind of failure the generator found, answered now like any bad input."""
    target = next(target for target in TARGETS if target.name == target_name)
    request = Request(
        target.name, 0, query, variables, _json({"query": query, "variables": variables}).encode(), method
    )
    await _check(gateway, target, request)


def test_the_generated_requests_reach_every_resolver() -> None:
    """Not only refusals: at each target, some generated requests got past validation to the resolver (after the
    generator ran for every target in this session)."""
    if set(REACHED) < {target.name for target in TARGETS} or min(map(len, REACHED.values())) < 20:
        pytest.skip("the generator did not run for every target in this session")
    assert sorted(name for name, reached in REACHED.items() if sum(reached) < len(reached) // 5) == []
