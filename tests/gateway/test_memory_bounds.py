"""A serving process sent thousands of unique documents of the largest size allowed stays within its memory.

`sales-gateway serve` runs over the test database and gets 5,000 documents of exactly `MAX_QUERY_CHARACTERS`
characters, each one new (four requests at a time). Every document selects 15 aliases of the viewer's name
(so the fast executor prepares it, and builds a new builder for its keys) and is padded with a comment (its
text is kept as a token's value). One in four also asks for 101 sales: the resolver refuses it (at most 100),
the fast executor steps aside and the stock executor answers, through the schema's document cache. Every
cache sees several times as many documents as it keeps, so what the process holds is what their bounds let it.

Its peak resident memory (VmHWM, read from /proc) must stay under 150 MB. Measured on 2 shared cores: 54 MB
before the first request and a peak of 97 MB, so 53 MB to spare; with the caches bounded by entries only
(512 parsed documents, 512 validated, 512 prepared, 1,024 builders), the same run peaked at 195 MB.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from graphql import parse
from strawberry.schema.schema import validate_document

from schema import schema
from schema.limits import MAX_ALIASES, MAX_QUERY_CHARACTERS, MAX_TOKENS
from tests.factories.producers import Seller, make_seller
from tests.processes import serving

pytestmark = pytest.mark.slow

DOCUMENTS = 5_000
CONCURRENT_REQUESTS = 4
RSS_LIMIT_MB = 150
ALIAS_CHARACTERS = 200
STOCK_EVERY = 4  # one document in STOCK_EVERY is answered by the stock executor


def max_size_document(n: int) -> str:
    """A valid query of exactly MAX_QUERY_CHARACTERS characters, unique by `n`."""
    aliases = " ".join(f"v{n}_{alias}_{'x' * ALIAS_CHARACTERS}: name" for alias in range(MAX_ALIASES))
    refused = " sales(first: 101) { totalCount }" if n % STOCK_EVERY == 0 else ""
    body = f"query Padded{n} {{ viewer {{ id {aliases} }}{refused} }}\n"
    comment = f"# document {n} "
    return body + comment + "-" * (MAX_QUERY_CHARACTERS - len(body) - len(comment) - 1) + "\n"


def test_the_documents_are_valid_and_of_the_largest_size() -> None:
    for n in (STOCK_EVERY, STOCK_EVERY + 1, DOCUMENTS - 1):
        text = max_size_document(n)
        assert len(text) == MAX_QUERY_CHARACTERS
        document = parse(text, max_tokens=MAX_TOKENS)
        assert not validate_document(schema.graphql_schema, document, schema.validation_rules)


def _memory_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    status = dict(line.split(":", 1) for line in lines if ":" in line)
    return int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024


@pytest.fixture
async def seller(connection: asyncpg.Connection) -> Seller:
    return await make_seller(connection)


@pytest.fixture
def gateway(database_url: str, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """`sales-gateway serve` over the test database: its URL and process id."""
    with serving(database_url, tmp_path / "serve.log") as (url, process):
        yield url, process.pid


async def test_unique_documents_of_the_largest_size_leave_the_process_under_its_memory_bound(
    gateway: tuple[str, int], seller: Seller
) -> None:
    url, pid = gateway
    numbers = iter(range(DOCUMENTS))
    samples = [(0, _memory_mb(pid)[0])]

    async def send(client: httpx.AsyncClient) -> None:
        for n in numbers:
            response = await client.post("/graphql", json={"query": max_size_document(n)})
            assert response.status_code == 200, response.text
            body = response.json()
            if n % STOCK_EVERY == 0:
                assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
            else:
                assert "errors" not in body, body["errors"]
            assert body["data"]["viewer"][f"v{n}_0_{'x' * ALIAS_CHARACTERS}"]
            if (n + 1) % 500 == 0:
                samples.append((n + 1, _memory_mb(pid)[0]))

    headers = {"authorization": f"Bearer {seller.key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        await asyncio.gather(*(send(client) for _ in range(CONCURRENT_REQUESTS)))
    peak = _memory_mb(pid)[1]
    report = ", ".join(f"{count}: {mb:.0f}" for count, mb in samples)
    print(f"\nRSS in MB after so many documents: {report}; peak {peak:.0f} (bound {RSS_LIMIT_MB})")
    assert peak < RSS_LIMIT_MB, f"peak RSS {peak:.0f} MB; after so many documents: {report}"
