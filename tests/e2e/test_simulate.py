"""`sales-gateway simulate`: checkout activity written straight into the database, as the checkout writes it,
which the outbox catches like any other write."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import asyncpg

from tests.factories.producers import make_seller
from tests.processes import SALES_GATEWAY, serve_environment


def simulate(database_url: str, producer_id: int, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SALES_GATEWAY, "simulate", "--producer", str(producer_id), *options],
        env=serve_environment(DATABASE_URL=database_url, LOG_LEVEL="WARNING"),
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_simulate_writes_sales_their_ledger_and_their_events(
    database_url: str, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    done = simulate(database_url, seller.id, "--sales", "40", "--rate", "0", "--seed", "7")
    assert done.returncode == 0, done.stderr
    assert "40 sales" in done.stderr
    sales = await connection.fetch(
        "select id, status, gross_amount, fees, net_amount from sales where producer_id = $1", seller.id
    )
    assert len(sales) == 40
    assert {sale["status"] for sale in sales} <= {"APPROVED", "WAITING_PAYMENT"}
    for sale in sales:  # an approved sale is in the ledger: its gross, less its fees
        entries = await connection.fetch(
            "select kind, amount from statement_entries where producer_id = $1 and sale_id = $2 order by id",
            seller.id,
            sale["id"],
        )
        if sale["status"] == "APPROVED":
            assert [entry["kind"] for entry in entries] == ["SALE", "FEE"]
            assert sum((entry["amount"] for entry in entries), Decimal(0)) == sale["net_amount"]
        else:
            assert entries == []
    created = await connection.fetchval(
        "select count(*) from events where producer_id = $1 and type = 'sale.created'", seller.id
    )
    assert created == 40
    kinds = {row["type"] for row in await connection.fetch("select type from events where producer_id = $1", seller.id)}
    assert {"sale.created", "statement_entry.created"} <= kinds
    again = await make_seller(connection)  # the same seed, the same activity
    simulate(database_url, again.id, "--sales", "40", "--rate", "0", "--seed", "7")
    mix = "select type, count(*) from events where producer_id = $1 group by type order by type"
    assert [tuple(row) for row in await connection.fetch(mix, again.id)] == [
        tuple(row) for row in await connection.fetch(mix, seller.id)
    ]


async def test_simulate_says_when_there_is_nothing_to_sell(database_url: str, connection: asyncpg.Connection) -> None:
    producer_id = await connection.fetchval(
        "insert into producers (name, email) values ('Empty', 'empty@example.com') returning id"
    )
    done = simulate(database_url, producer_id, "--sales", "1")
    assert done.returncode == 1
    assert "no product with a price, or no buyer" in done.stderr
