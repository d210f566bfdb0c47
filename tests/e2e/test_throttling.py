"""Each key's budget of cost points: a leaky bucket taken from on admission, given back what the answer did not
use, refused whole when it does not fit (THROTTLED, HTTP 429), its state on every answer; kept per process, or
in a real Redis shared by several gateway processes, and serving on when Redis goes away."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis

from loaders.api_keys import create_key
from tests.factories.finance import make_funded_seller
from tests.factories.producers import Seller, make_seller
from tests.graphql import post, running_gateway
from tests.processes import SALES_GATEWAY, free_port, gateway_in_thread, serve_environment, serving

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CARD = "{ salesManagement { period { from } } }"  # 5 + 1: the same actual cost whatever the data
TWO_CARDS = "{ a: salesManagement { period { from } } b: salesManagement { period { from } } }"  # 12
WITHDRAW = (
    'mutation { requestWithdrawal(input: {amount: "10.00", currency: BRL, idempotencyKey: "throttled"}) {'
    " withdrawal { id } userErrors { code } } }"
)  # 10 + 1 + 1


def budget(size: int, restore_rate: int) -> dict[str, str]:
    return {"GATEWAY_COST_BUCKET_SIZE": str(size), "GATEWAY_COST_RESTORE_RATE": str(restore_rate)}


def throttle_status(body: dict[str, Any]) -> dict[str, int]:
    return body["extensions"]["cost"]["throttleStatus"]  # type: ignore[no-any-return]


def rate_limit_header(response: httpx.Response) -> dict[str, int]:
    """The `RateLimit` field's parameters: r (points left) and t (seconds until the bucket is full)."""
    found = re.fullmatch(r'"cost";r=(\d+);t=(\d+)', response.headers["ratelimit"])
    assert found, response.headers["ratelimit"]
    return {"r": int(found.group(1)), "t": int(found.group(2))}


@pytest.fixture
async def seller(connection: asyncpg.Connection) -> Seller:
    return await make_seller(connection)


async def test_a_key_that_spent_its_bucket_is_throttled_before_anything_runs(database_url: str, seller: Seller) -> None:
    async with running_gateway(database_url, budget(30, 1)) as (_, client):
        first = await post(client, seller.key, TWO_CARDS)
        second = await post(client, seller.key, TWO_CARDS)
        assert throttle_status(first.json())["currentlyAvailable"] == 18
        left = throttle_status(second.json())["currentlyAvailable"]
        assert left in (6, 7)  # and what a second may have given back
        assert first.headers["ratelimit-policy"] == '"cost";q=30;w=30'
        assert rate_limit_header(second) == {"r": left, "t": 30 - left}

        refused = await post(client, seller.key, TWO_CARDS)
        assert refused.status_code == 429
        assert "x-sql-statements" not in refused.headers  # nothing ran
        body = refused.json()
        assert "data" not in body
        [error] = body["errors"]
        assert error["extensions"]["code"] == "THROTTLED"
        assert error["extensions"]["cost"] == body["extensions"]["cost"]
        status = body["extensions"]["cost"].pop("throttleStatus")
        assert body["extensions"]["cost"] == {
            "requestedQueryCost": 12,
            "actualQueryCost": 0,
            "maximumQueryCost": 30,  # no document above the bucket could ever run
        }
        assert (status["maximumAvailable"], status["restoreRate"]) == (30, 1)
        wait = 12 - status["currentlyAvailable"]  # the missing points at 1 a second
        assert refused.headers["retry-after"] == str(wait)
        assert f"try again in {wait} s" in error["message"]
        # a cheaper document still fits; one above the bucket is refused as too costly, not throttled
        assert (await post(client, seller.key, CARD)).status_code == 200
        too_costly = (await post(client, seller.key, "{ sales(first: 40) { nodes { id } } }")).json()
        assert too_costly["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


async def test_what_the_answer_did_not_use_is_given_back(database_url: str, seller: Seller) -> None:
    async with running_gateway(database_url, budget(1000, 1)) as (_, client):
        body = (await post(client, seller.key, "{ sales(first: 50) { nodes { id } } }")).json()
        cost = body["extensions"]["cost"]
        assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (51, 1)  # no sales: the connection alone
        assert 999 <= cost["throttleStatus"]["currentlyAvailable"] <= 1000  # 51 taken, 50 given back


async def test_rate_limit_tells_a_key_where_it_stands_without_spending(database_url: str, seller: Seller) -> None:
    query = "{ rateLimit { maximumAvailable currentlyAvailable restoreRate resetAt } }"
    async with running_gateway(database_url, budget(100, 2)) as (_, client):
        await post(client, seller.key, TWO_CARDS)
        before = datetime.now(UTC)
        answers = [(await post(client, seller.key, query)).json() for _ in range(3)]
    for body in answers:
        assert body["extensions"]["cost"]["requestedQueryCost"] == 0
        limit = body["data"]["rateLimit"]
        assert (limit["maximumAvailable"], limit["restoreRate"]) == (100, 2)
        assert 88 <= limit["currentlyAvailable"] <= 90  # 12 spent, a second's worth at most restored
        reset_at = datetime.fromisoformat(limit["resetAt"])
        assert 0 < (reset_at - before).total_seconds() <= 7  # 12 points at 2 a second, rounded up


async def test_a_money_mutation_refused_by_the_bucket_changes_nothing(
    database_url: str, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    ledger = "select count(*), sum(amount) from statement_entries where producer_id = $1"
    before = await connection.fetchrow(ledger, seller.id)
    async with running_gateway(database_url, budget(20, 1)) as (_, client):
        assert (await post(client, seller.key, TWO_CARDS)).status_code == 200  # 8 points left; the mutation costs 12
        refused = await post(client, seller.key, WITHDRAW)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", seller.id) == 0
    assert await connection.fetchrow(ledger, seller.id) == before
    audit = "select count(*) from audit_log where producer_id = $1 and action = 'requestWithdrawal'"
    assert await connection.fetchval(audit, seller.id) == 0


async def test_a_key_with_its_own_budget(database_url: str, connection: asyncpg.Connection, seller: Seller) -> None:
    own = await create_key(connection, seller.id, name="partner", cost_limit=40, restore_rate=4)
    async with running_gateway(database_url, budget(1000, 50)) as (_, client):
        body = (await post(client, own.secret, CARD)).json()
        assert throttle_status(body) == {"maximumAvailable": 40, "currentlyAvailable": 34, "restoreRate": 4}
        assert body["extensions"]["cost"]["maximumQueryCost"] == 40
        default = (await post(client, seller.key, CARD)).json()  # the producer's other key: the settings' budget
        assert throttle_status(default)["maximumAvailable"] == 1000


def test_keys_create_takes_a_cost_limit_and_a_restore_rate(database_url: str, seller: Seller) -> None:
    environment = serve_environment(DATABASE_URL=database_url)
    create = [SALES_GATEWAY, "keys", "create", "--producer-id", str(seller.id)]
    made = subprocess.run(
        [*create, "--cost-limit", "5000", "--restore-rate", "100"], env=environment, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("sgk_")
    refused = subprocess.run([*create, "--cost-limit", "0"], env=environment, capture_output=True, text=True)
    assert refused.returncode == 2
    assert "--cost-limit: must be between 1" in refused.stderr
    listing = [SALES_GATEWAY, "keys", "list", "--producer-id", str(seller.id)]
    listed = subprocess.run(listing, env=environment, capture_output=True, text=True)
    assert "cost limit 5000, restore rate 100/s" in listed.stdout
    assert "default cost budget" in listed.stdout  # the seller's first key


async def test_every_answer_says_where_the_bucket_stands(database_url: str, seller: Seller) -> None:
    headers = {"authorization": f"Bearer {seller.key}"}
    async with running_gateway(database_url, budget(500, 5)) as (_, client):
        bad_body = await client.post("/graphql", content=b"{not json", headers=headers)
        unknown_hash = await client.post(
            "/graphql",
            json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}},
            headers=headers,
        )
        invalid = await post(client, seller.key, "{ viewer { nope } }")
        no_key = await post(client, None, CARD)
    for answer in (bad_body, unknown_hash, invalid):
        cost = answer.json()["extensions"]["cost"]
        assert (cost["requestedQueryCost"], cost["actualQueryCost"]) == (0, 0), answer.text
        assert cost["throttleStatus"] == {"maximumAvailable": 500, "currentlyAvailable": 500, "restoreRate": 5}
        assert answer.headers["ratelimit-policy"] == '"cost";q=500;w=100'
    assert no_key.status_code == 401
    assert no_key.json()["extensions"]["cost"] == {"requestedQueryCost": 0, "actualQueryCost": 0, "maximumQueryCost": 0}


# ---- shared through Redis ----------------------------------------------------------------------------------


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(f"the tests need a Redis at {REDIS_URL} (TEST_REDIS_URL): {error}")
    yield client
    client.close()


async def _hammer(urls: list[str], key: str, seconds: float, workers: int) -> tuple[list[httpx.Response], float]:
    """`workers` clients sending CARD with `key` as fast as they are answered, spread over `urls`, for
    `seconds`: every answer, and the seconds from the first request sent to the last answer."""
    answers: list[httpx.Response] = []
    started = time.monotonic()

    async def work(client: httpx.AsyncClient, url: str) -> None:
        while time.monotonic() - started < seconds:
            answers.append(
                await client.post(f"{url}/graphql", json={"query": CARD}, headers={"authorization": f"Bearer {key}"})
            )

    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(work(client, urls[n % len(urls)]) for n in range(workers)))
    return answers, time.monotonic() - started


async def test_two_gateway_processes_on_one_redis_share_each_keys_budget(
    database_url: str, connection: asyncpg.Connection, redis_client: redis.Redis, tmp_path: Path
) -> None:
    hammered, other = await make_seller(connection), await make_seller(connection)
    size, rate = 120, 20
    settings = {"REDIS_URL": REDIS_URL, **budget(size, rate)}
    with (
        serving(database_url, tmp_path / "first.log", **settings) as (first, _),
        serving(database_url, tmp_path / "second.log", **settings) as (second, _),
    ):

        async def steady() -> list[httpx.Response]:
            """The other key: one request every quarter second, to each process in turn."""
            answers = []
            async with httpx.AsyncClient(timeout=30) as client:
                for n in range(12):
                    url = (first, second)[n % 2]
                    headers = {"authorization": f"Bearer {other.key}"}
                    answers.append(await client.post(f"{url}/graphql", json={"query": CARD}, headers=headers))
                    await asyncio.sleep(0.25)
            return answers

        (answers, seconds), others = await asyncio.gather(_hammer([first, second], hammered.key, 4.0, 8), steady())

    admitted = [answer for answer in answers if answer.status_code == 200]
    throttled = [answer for answer in answers if answer.status_code == 429]
    assert len(admitted) + len(throttled) == len(answers), {answer.status_code for answer in answers}
    spent = sum(answer.json()["extensions"]["cost"]["actualQueryCost"] for answer in admitted)
    bound = size + rate * seconds + 6  # one bucket, what it got back meanwhile, and one request's cost
    assert spent <= bound, (spent, bound, len(admitted))
    assert spent >= size  # the bucket was used, not refused outright
    assert throttled
    assert all(a.json()["errors"][0]["extensions"]["code"] == "THROTTLED" for a in throttled)
    served_by = {answer.url.port for answer in admitted}
    assert len(served_by) == 2  # both processes admitted some of them, from the one budget
    assert [answer.status_code for answer in others] == [200] * 12
    assert all("errors" not in answer.json() for answer in others)


@contextlib.contextmanager
def redis_server(port: int, directory: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A redis-server of the test's own on `port`, with nothing saved to disk."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=0.2)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert process.poll() is None, "redis-server stopped"
                assert time.monotonic() < deadline, "redis-server did not answer in 10 s"
                time.sleep(0.05)
        yield process
    finally:
        client.close()
        process.kill()
        process.wait(timeout=10)


async def test_redis_restarted_mid_load_no_request_fails_and_the_buckets_resume(
    database_url: str, seller: Seller, tmp_path: Path
) -> None:
    port = free_port()
    stop = asyncio.Event()
    answers: list[httpx.Response] = []

    async def load(url: str) -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            while not stop.is_set():
                headers = {"authorization": f"Bearer {seller.key}"}
                answers.append(await client.post(f"{url}/graphql", json={"query": CARD}, headers=headers))

    settings = {"REDIS_URL": f"redis://127.0.0.1:{port}/0", **budget(1_000_000, 1_000_000)}
    with gateway_in_thread(database_url, "gateway-over-a-restarted-redis", **settings) as url:
        with redis_server(port, tmp_path):
            loading = asyncio.gather(*(load(url) for _ in range(4)))
            await asyncio.sleep(1.0)
        before_outage = len(answers)
        await asyncio.sleep(1.5)  # Redis is gone
        assert len(answers) > before_outage + 10  # and requests are still answered
        with redis_server(port, tmp_path):
            await asyncio.sleep(2.5)  # Redis is tried again a second after the last failure
            restarted = redis.Redis(port=port)
            buckets = restarted.keys("sales-gateway:cost:*")
            restarted.close()
            stop.set()
            await loading
        async with httpx.AsyncClient() as client:
            metrics = (await client.get(f"{url}/metrics")).text
    assert {answer.status_code for answer in answers} == {200}
    assert all("throttleStatus" in answer.json()["extensions"]["cost"] for answer in answers)
    assert len(buckets) == 1  # the key's bucket is in the restarted Redis: the gateway went back to it
    failures = re.search(r"^gateway_cost_bucket_failures_total (\S+)$", metrics, re.MULTILINE)
    assert failures
    assert float(failures.group(1)) >= 1
