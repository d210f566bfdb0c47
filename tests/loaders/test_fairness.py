"""No seller can starve the others: a search costs what it finds, a producer holds at most its share of the
pool at once, and a producer using its whole share lets the others go first."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import asyncpg
import pytest

from loaders.database import PoolExhausted, TenantDatabase
from loaders.fairness import Fairness, Turn
from loaders.keyset import PageRequest, keyset_clauses
from loaders.sales import SALES
from tests.factories.producers import make_seller
from tests.factories.sales import bulk_sales


def _nodes(plan: dict[str, object]) -> list[dict[str, object]]:
    found = [plan]
    for child in plan.get("Plans", []):  # type: ignore[attr-defined]
        found += _nodes(child)
    return found


@pytest.mark.parametrize("text", ["zzz", "BULK"])
async def test_a_search_reads_what_it_finds_not_the_sellers_sales(connection: asyncpg.Connection, text: str) -> None:
    seller = await make_seller(connection)
    await bulk_sales(connection, seller, 20_000, base=datetime.now(UTC))
    await connection.execute("analyze sales; analyze buyers")
    where = SALES.where(seller.id, {"search": text})
    condition, tail, parameters = keyset_clauses(
        PageRequest(limit=3, order=SALES.default_order), where.next_parameter, "s"
    )
    sql = f"explain (analyze, format json) {SALES.select} where {where.sql} and {condition} {tail}"
    plan = json.loads(await connection.fetchval(sql, *where.parameters, *parameters))[0]["Plan"]
    sales_read = sum(
        int(node["Actual Rows"])  # type: ignore[call-overload]
        for node in _nodes(plan)
        if node.get("Relation Name") == "sales" or str(node.get("Index Name", "")).startswith("sales")
    )
    buyer_scans = [node for node in _nodes(plan) if node.get("Relation Name") == "buyers"]
    assert buyer_scans
    assert all(node["Actual Loops"] == 1 for node in buyer_scans)  # the buyers are searched once, not per sale
    # "zzz" matches nothing: no sale is read; "BULK" is a transaction code prefix, not a code: nothing either
    assert sales_read == 0


async def test_a_producer_holds_at_most_its_share_while_others_go_on() -> None:
    fairness = Fairness(3)
    holding, most = 0, 0

    async def busy() -> None:
        nonlocal holding, most
        async with fairness.turn(1, within=5):
            holding += 1
            most = max(most, holding)
            await asyncio.sleep(0.01)
            holding -= 1

    async def other() -> int:
        async with fairness.turn(2, within=5):
            return holding  # the first producer's requests still running when this one got its turn

    results = await asyncio.gather(*(busy() for _ in range(20)), other())
    assert most == 3
    assert results[-1] == 3  # the other producer did not wait behind the first one's requests


async def test_a_producer_waiting_past_the_timeout_is_told_the_pool_is_busy() -> None:
    fairness = Fairness(1)
    async with fairness.turn(7, within=1):
        with pytest.raises(PoolExhausted):
            async with fairness.turn(7, within=0.05):
                pass
    async with fairness.turn(7, within=0.05):  # free again, and forgotten when nobody holds a turn
        pass
    assert not fairness._turns


async def _steps_done(turn: Turn, events: list[str], name: str) -> None:
    await turn.step()
    events.append(name)


async def test_a_greedy_producer_pauses_while_another_producers_request_runs() -> None:
    fairness = Fairness(2, most_pause_s=5)
    events: list[str] = []
    async with fairness.turn(1, 1) as first, fairness.turn(1, 1):  # producer 1 runs its whole share: greedy
        light_done = asyncio.Event()

        async def light() -> None:
            async with fairness.turn(2, 1) as turn:
                await turn.step()  # producer 2 is within its share: it never pauses
                events.append("light step")
                await light_done.wait()
            events.append("light ended")

        light_task = asyncio.create_task(light())
        await asyncio.sleep(0)
        heavy_step = asyncio.create_task(_steps_done(first, events, "heavy step"))
        await asyncio.sleep(0.02)
        assert events == ["light step"]  # the greedy producer's step waits for the light request
        light_done.set()
        await asyncio.gather(light_task, heavy_step)
    assert events == ["light step", "light ended", "heavy step"]


async def test_a_producer_within_its_share_or_alone_never_pauses() -> None:
    fairness = Fairness(2, most_pause_s=5)
    async with fairness.turn(1, 1) as within_share, fairness.turn(2, 1):
        await asyncio.wait_for(within_share.step(), 0.5)  # beside another producer, within its share
    alone_fairness = Fairness(2, most_pause_s=5)
    async with alone_fairness.turn(3, 1) as alone, alone_fairness.turn(3, 1):  # greedy, but nobody else is served
        await asyncio.wait_for(alone.step(5.0), 0.5)


async def test_after_another_producers_request_only_the_greedy_producers_oldest_request_goes_on() -> None:
    fairness = Fairness(2, most_pause_s=5, contention_s=5)
    async with fairness.turn(1, 1) as oldest, fairness.turn(1, 1) as younger:
        async with fairness.turn(2, 1):
            pass  # another producer was served a moment ago
        await asyncio.wait_for(oldest.step(), 0.5)
        younger_step = asyncio.create_task(younger.step())
        await asyncio.sleep(0.02)
        assert not younger_step.done()
    # the oldest ended: the younger one is now the oldest, and goes on
    await asyncio.wait_for(younger_step, 0.5)


async def test_a_greedy_producers_oldest_request_rests_after_a_statement_while_others_are_served() -> None:
    fairness = Fairness(2, most_pause_s=5, contention_s=5)
    async with fairness.turn(1, 1) as greedy, fairness.turn(1, 1):
        async with fairness.turn(2, 1):
            pass
        await asyncio.wait_for(greedy.step(0.0), 0.5)
        assert fairness.pause_for(greedy) == 0
        rest = asyncio.create_task(greedy.step(0.02))  # a statement of 20 ms: a rest of 60 ms
        await asyncio.sleep(0.03)
        assert not rest.done()
        await asyncio.wait_for(rest, 0.5)


async def test_a_pause_lasts_at_most_its_bound() -> None:
    fairness = Fairness(2, most_pause_s=0.05)
    async with fairness.turn(1, 1) as greedy, fairness.turn(1, 1), fairness.turn(2, 1):
        await asyncio.wait_for(greedy.step(), 1)  # producer 2 still runs: the greedy one went on after 50 ms


async def test_the_database_steps_before_each_statement_and_when_its_rows_arrive(
    serving_pool: asyncpg.Pool,
) -> None:
    steps: list[float] = []

    async def step(database_s: float) -> None:
        steps.append(database_s)

    db = TenantDatabase(serving_pool, 1, step=step)
    try:
        await db.fetchval("select 1")
        await db.fetch("select pg_sleep(0.01)")
    finally:
        await db.close()
    assert len(steps) == 4
    assert steps[0] == steps[2] == 0.0
    assert steps[3] >= 0.01  # the time the statement took
