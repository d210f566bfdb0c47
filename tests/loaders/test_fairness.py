"""No seller can starve the others: a search costs what it finds, and a producer holds at most its share of
the pool at once."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import asyncpg
import pytest

from loaders.database import PoolExhausted, ProducerShares
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
    shares = ProducerShares(3)
    holding, most = 0, 0

    async def busy() -> None:
        nonlocal holding, most
        async with shares.turn(1, within=5):
            holding += 1
            most = max(most, holding)
            await asyncio.sleep(0.01)
            holding -= 1

    async def other() -> float:
        started = asyncio.get_running_loop().time()
        async with shares.turn(2, within=5):
            return asyncio.get_running_loop().time() - started

    results = await asyncio.gather(*(busy() for _ in range(20)), other())
    assert most == 3
    assert results[-1] < 0.005  # the other producer did not wait behind the first one's requests


async def test_a_producer_waiting_past_the_timeout_is_told_the_pool_is_busy() -> None:
    shares = ProducerShares(1)
    async with shares.turn(7, within=1):
        with pytest.raises(PoolExhausted):
            async with shares.turn(7, within=0.05):
                pass
    async with shares.turn(7, within=0.05):  # free again, and forgotten when nobody holds a turn
        pass
    assert not shares._turns
