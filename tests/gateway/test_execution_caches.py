"""The fast executor's caches keep no more than they estimate: prepared documents with their plans, and builders.

Each estimate is checked against what tracemalloc sees the cache keep, on documents that plan every relation
over seeded data (a plan is made when a level has objects), with unique texts and, for builders, unique aliases.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from gateway.execution import builders
from tests.allocations import traced
from tests.conftest import NewDatabase
from tests.factories.demo import seeded_database
from tests.gateway.test_fast_path import HAND_WRITTEN
from tests.graphql import running_gateway

EXAMPLES = Path(__file__).resolve().parents[2] / "gateway" / "http" / "static" / "graphiql" / "examples.json"
# the variables of every document below (a variable an operation does not declare is ignored)
VARIABLES = {
    "period": {"from": "2026-01-01", "to": "2026-12-31"},
    "p": {"from": "2026-01-01", "to": "2026-03-31"},
    "n": 50,
    "skipBuyer": True,
    "withProduct": True,
}

pytestmark = pytest.mark.slow

_unique = itertools.count()


@pytest.fixture(scope="module")
async def gateway(new_database: NewDatabase) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient, str]]:
    url, keys = await seeded_database(new_database, producers=1, sales=600, seed_value=5, keys_of=(1,))
    async with running_gateway(url) as (app, client):
        yield app, client, keys[1]


@dataclass(frozen=True, slots=True)
class Measured:
    """Per document: bytes held after the requests (tracemalloc), and what each cache's estimate grew by."""

    held: float
    prepared: float
    builders: float


async def _measure(gateway: tuple[Starlette, httpx.AsyncClient, str], texts: list[str]) -> Measured:
    """Send the texts (each answered by the fast path) under tracemalloc."""
    app, client, key = gateway
    executor = app.state.fast_executor
    prepared, made = executor.prepared.bytes, builders.builders.bytes
    with traced() as held_now:
        for text in texts:
            answered = executor.answered
            response = await client.post(
                "/graphql", json={"query": text, "variables": VARIABLES}, headers={"authorization": f"Bearer {key}"}
            )
            assert "errors" not in response.json()
            assert executor.answered == answered + 1
        held = held_now()
    count = len(texts)
    return Measured(
        held / count, (executor.prepared.bytes - prepared) / count, (builders.builders.bytes - made) / count
    )


def _texts(make_text: Callable[[int], str], count: int = 10) -> list[str]:
    return [make_text(next(_unique)) for _ in range(count)]


async def _warmed_up(gateway: tuple[Starlette, httpx.AsyncClient, str], make_text: Callable[[int], str]) -> None:
    """Empty caches, after a first batch: whatever grows only once (tables, free lists) grows with it."""
    gateway[0].state.fast_executor.prepared.clear()
    builders.builders.clear()
    await _measure(gateway, _texts(make_text))
    gateway[0].state.fast_executor.prepared.clear()
    builders.builders.clear()


def _fast_documents() -> list[str]:
    """The GraphiQL examples, the hand-written documents of the differential test that the fast path answers
    (all but the last four, which end in errors), and the densest kind: one-word fields."""
    examples = [example["query"] for example in json.loads(EXAMPLES.read_text())["examples"]]
    written = [query for query, _ in HAND_WRITTEN[:-4]]
    return [*examples, *written, f"{{ viewer {{ {'id ' * 200}}} }}"]


@pytest.mark.parametrize("query", _fast_documents())
async def test_a_prepared_document_keeps_no_more_than_its_estimate(
    gateway: tuple[Starlette, httpx.AsyncClient, str], query: str
) -> None:
    """Unique texts of one document: a prepared document each, the builders of its shapes once."""

    def make_text(n: int) -> str:
        return f"{query}\n# {n}\n"

    await _warmed_up(gateway, make_text)
    measured = await _measure(gateway, _texts(make_text))
    assert measured.held <= measured.prepared + measured.builders, measured


SALE_FIELDS = [
    "id",
    "transactionCode",
    "status",
    "offerCode",
    "paymentMethod",
    "installments",
    "device",
    "source",
    "createdAt",
    "approvedAt",
    "recovered",
]
MONEY_FIELDS = ["grossAmount", "fees", "taxes", "affiliateCommission", "netAmount"]

NEW_SHAPES: dict[str, Callable[[int], str]] = {
    "aliases at every level": lambda n: (
        f"{{ s{n}: sales(first: 20) {{ nodes {{ t{n}: transactionCode g{n}: grossAmount {{ a{n}: amount c{n}: currency }}"
        f" p{n}: product {{ n{n}: name k{n}: kind }} b{n}: buyer {{ e{n}: email }} }} }} v{n}: viewer {{ i{n}: id }} }}"
    ),
    "every plain field of a sale, aliased": lambda n: (
        "{ sales(first: 20) { nodes { "
        + " ".join(f"{name}{n}: {name}" for name in SALE_FIELDS)
        + " ".join(f" {name}{n}: {name} {{ amount currency }}" for name in MONEY_FIELDS[:4])
        + " netAmount { amount currency } } } }"
    ),
    "long aliases of plain fields": lambda n: (
        "{ viewer { " + " ".join(f"v{n}_{k}_{'x' * 1_000}: name" for k in range(15)) + " } }"
    ),
}


@pytest.mark.parametrize("make_text", NEW_SHAPES.values(), ids=NEW_SHAPES.keys())
async def test_new_builders_keep_no_more_than_their_estimate(
    gateway: tuple[Starlette, httpx.AsyncClient, str], make_text: Callable[[int], str]
) -> None:
    """Documents with new response keys in objects of plain fields: new builders each. The same texts
    again with a comment more make new prepared documents but no new builder: what the first batch held
    beyond the second is what its builders hold."""
    await _warmed_up(gateway, make_text)
    texts = _texts(make_text)
    first = await _measure(gateway, texts)
    again = await _measure(gateway, [f"{text}\n# again\n" for text in texts])
    assert again.builders == 0
    assert first.held <= first.prepared + first.builders, first
    assert first.held - again.held <= first.builders, (first, again)
