"""Change data: the outbox the database's triggers write whoever writes (here: straight SQL, as the checkout
writes), numbered per producer in commit order; `updatedAt`, `filter.updatedSince` and the UPDATED_AT order of
every list; and a partner-style sync loop that misses nothing while the data changes under it."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from loaders.events import prune_events
from resolvers.ids import to_global_id
from tests.factories.finance import make_funded_seller
from tests.factories.producers import make_seller
from tests.factories.sales import make_sale
from tests.graphql import data_of, post

EVENTS = """
query ($types: [String!], $after: String) {
  events(first: 100, after: $after, filter: {types: $types}) {
    pageInfo { hasNextPage endCursor }
    nodes { id type objectType objectId occurredAt payload object { id ... on Sale { status } } }
  }
}
"""


async def events_of(client: httpx.AsyncClient, key: str, types: list[str] | None = None) -> list[dict[str, Any]]:
    """Every event the key reads, oldest first, page by page."""
    found, after = [], None
    while True:
        page = (await data_of(client, key, EVENTS, {"types": types, "after": after}))["events"]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def test_writes_of_the_checkout_are_events(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection)
    first = await make_sale(connection, seller, created_at=datetime(2026, 11, 1, tzinfo=UTC), status="WAITING_PAYMENT")
    await connection.execute("update sales set status = 'APPROVED', approved_at = now() where id = $1", first)
    await connection.execute("update sales set fees = fees where id = $1", first)  # no change of state: no event
    await connection.execute(
        "insert into lost_sales (producer_id, reason, product_id, buyer_id, currency, amount, created_at) "
        "values ($1, 'CARD_DECLINED', $2, $3, 'BRL', 59.90, now())",
        seller.id,
        seller.product_id,
        seller.buyer_id,
    )
    events = await events_of(client, seller.key)
    assert [e["type"] for e in events] == ["sale.created", "sale.status_changed", "lost_sale.created"]
    created, changed, lost = events
    assert created["payload"] == {
        "transactionCode": created["payload"]["transactionCode"],
        "status": "WAITING_PAYMENT",
        "currency": "BRL",
        "grossAmount": "100.00",
        "netAmount": "90.10",
        "paymentMethod": "CREDIT_CARD",
    }
    assert changed["payload"] == {
        "transactionCode": created["payload"]["transactionCode"],
        "status": "APPROVED",
        "previousStatus": "WAITING_PAYMENT",
    }
    assert created["objectType"] == "Sale"
    assert created["objectId"] == changed["objectId"] == changed["object"]["id"]
    assert changed["object"]["status"] == "APPROVED"  # the object as it is now
    assert lost["payload"] == {"reason": "CARD_DECLINED", "currency": "BRL", "amount": "59.90"}
    assert created["occurredAt"] <= changed["occurredAt"] <= lost["occurredAt"]
    other = await make_seller(connection)  # another producer sees none of these
    await make_sale(connection, other, created_at=datetime(2026, 11, 1, tzinfo=UTC))
    assert [e["type"] for e in await events_of(client, other.key)] == ["sale.created"]


async def test_an_event_written_after_a_slow_transactions_start_waits_for_it_to_end(
    client: httpx.AsyncClient, database_url: str, connection: asyncpg.Connection
) -> None:
    seller, bystander = await make_seller(connection), await make_seller(connection)
    slow, quick = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        transaction = slow.transaction()
        await transaction.start()
        early = await make_sale(slow, seller, created_at=datetime(2026, 11, 1, tzinfo=UTC))  # not committed yet
        await asyncio.sleep(0.01)
        # writers never wait for each other: this one commits at once, another producer's too
        late = await asyncio.wait_for(make_sale(quick, seller, created_at=datetime(2026, 11, 2, tzinfo=UTC)), 5)
        await asyncio.wait_for(make_sale(quick, bystander, created_at=datetime(2026, 11, 2, tzinfo=UTC)), 5)
        # a reader now would see `late` and go on after it, then miss `early`: neither is readable yet
        assert await events_of(client, seller.key) == []
        query = "{ sales(orderBy: {field: UPDATED_AT, direction: ASC}) { nodes { id } } }"
        assert (await data_of(client, seller.key, query))["sales"]["nodes"] == []
        assert len((await data_of(client, seller.key, "{ sales { nodes { id } } }"))["sales"]["nodes"]) == 1
        # every reader waits for the oldest running transaction, whoever it writes for
        assert await events_of(client, bystander.key) == []
        await transaction.commit()
    finally:
        await slow.close()
        await quick.close()
    events = await events_of(client, seller.key)
    assert [e["objectId"] for e in events] == [to_global_id("Sale", early), to_global_id("Sale", late)]
    query = "{ sales(orderBy: {field: UPDATED_AT, direction: ASC}) { nodes { id } } }"
    nodes = (await data_of(client, seller.key, query))["sales"]["nodes"]
    assert [node["id"] for node in nodes] == [to_global_id("Sale", early), to_global_id("Sale", late)]
    assert [e["type"] for e in await events_of(client, bystander.key)] == ["sale.created"]


async def test_the_gateways_own_writes_are_events(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_funded_seller(connection)
    before = len(await events_of(client, seller.key))
    mutation = (
        'mutation { requestWithdrawal(input: {amount: "10.00", currency: BRL, idempotencyKey: "events"}) {'
        " withdrawal { id } userErrors { code } } }"
    )
    withdrawal = (await data_of(client, seller.key, mutation))["requestWithdrawal"]["withdrawal"]
    after = (await events_of(client, seller.key))[before:]
    assert [e["type"] for e in after] == ["withdrawal.requested", "statement_entry.created"]
    assert after[0]["objectId"] == withdrawal["id"]
    assert after[0]["payload"] == {"status": "REQUESTED", "currency": "BRL", "amount": "10.00"}
    assert after[1]["payload"]["amount"] == "-10.00"


async def test_each_kind_of_event_needs_the_scope_of_its_objects(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection, scopes=["sales:read"])
    await make_sale(connection, seller, created_at=datetime(2026, 11, 1, tzinfo=UTC))
    types = {event["type"] for event in await events_of(client, seller.key)}
    assert types == {"sale.created"}  # its statement entries and the rest are not for this key
    body = (await post(client, seller.key, EVENTS, {"types": ["statement_entry.created"]})).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "finance:read" in body["errors"][0]["message"]
    body = (await post(client, seller.key, EVENTS, {"types": ["sale.deleted"]})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


LISTS = {  # each root list, and a field of its items besides `updatedAt`
    "sales": "transactionCode",
    "lostSales": "reason",
    "refunds": "status",
    "subscriptions": "status",
    "affiliations": "status",
    "receipts": "number",
    "withdrawals": "status",
    "prepayments": "status",
    "statement": "kind",
    "products": "name",
}


@pytest.mark.parametrize("field", list(LISTS))
async def test_every_list_takes_updated_since_and_orders_by_updated_at(
    client: httpx.AsyncClient, connection: asyncpg.Connection, field: str
) -> None:
    seller = await make_funded_seller(connection)  # a product, sales, the ledger
    await make_sale(connection, seller, created_at=datetime(2026, 11, 1, tzinfo=UTC))
    query = f"""
    query ($since: DateTime, $direction: OrderDirection!) {{
      {field}(first: 100, filter: {{updatedSince: $since}}, orderBy: {{field: UPDATED_AT, direction: $direction}}) {{
        nodes {{ updatedAt {LISTS[field]} }}
      }}
    }}
    """
    ascending = (await data_of(client, seller.key, query, {"since": None, "direction": "ASC"}))[field]["nodes"]
    descending = (await data_of(client, seller.key, query, {"since": None, "direction": "DESC"}))[field]["nodes"]
    moments = [node["updatedAt"] for node in ascending]
    assert moments == sorted(moments)
    assert descending == ascending[::-1]
    if moments:
        since = moments[len(moments) // 2]
        later = (await data_of(client, seller.key, query, {"since": since, "direction": "ASC"}))[field]["nodes"]
        assert later == [node for node in ascending if node["updatedAt"] >= since]


SYNC = """
query ($since: DateTime!, $after: String) {
  sales(first: 25, after: $after, filter: {updatedSince: $since}, orderBy: {field: UPDATED_AT, direction: ASC}) {
    pageInfo { hasNextPage endCursor }
    nodes { id status updatedAt }
  }
}
"""


async def test_a_sync_loop_over_updated_since_sees_every_change_made_during_it(
    client: httpx.AsyncClient, database_url: str, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    started = datetime.now(UTC) - timedelta(seconds=1)
    for day in range(1, 31):
        await make_sale(connection, seller, created_at=datetime(2026, 10, day, tzinfo=UTC), status="WAITING_PAYMENT")
    writing = True
    statuses = ["APPROVED", "COMPLETE", "CANCELLED", "REFUNDED", "WAITING_PAYMENT"]

    async def checkout(seed: int) -> None:
        """A writer as the checkout is: new sales and changes of status, some in slow transactions."""
        rng = random.Random(seed)
        writer = await asyncpg.connect(database_url)
        try:
            while writing:
                async with writer.transaction():
                    if rng.random() < 0.3:
                        await make_sale(writer, seller, created_at=datetime(2026, 11, 1, tzinfo=UTC))
                    await writer.execute(
                        "update sales set status = $2 where id = (select id from sales where producer_id = $1"
                        " order by random() limit 1)",
                        seller.id,
                        rng.choice(statuses),
                    )
                    await asyncio.sleep(rng.random() * 0.03)  # committed a moment after it was stamped
        finally:
            await writer.close()

    seen: dict[str, tuple[str, str]] = {}  # id -> (status, updatedAt) as the sync last saw it
    versions: list[tuple[str, str]] = []  # every (id, updatedAt) the sync was given
    after: str | None = None

    async def sync_once() -> None:
        nonlocal after
        while True:
            page = (await data_of(client, seller.key, SYNC, {"since": started.isoformat(), "after": after}))["sales"]
            for node in page["nodes"]:
                seen[node["id"]] = (node["status"], node["updatedAt"])
                versions.append((node["id"], node["updatedAt"]))
            after = page["pageInfo"]["endCursor"] or after
            if not page["pageInfo"]["hasNextPage"]:
                return

    writers = [asyncio.ensure_future(checkout(seed)) for seed in (1, 2, 3)]
    for _ in range(40):  # the partner's loop, while the checkout writes
        await sync_once()
        await asyncio.sleep(0.02)
    writing = False
    await asyncio.gather(*writers)
    await sync_once()  # once more, after the last write

    rows = await connection.fetch("select id, status, updated_at from sales where producer_id = $1", seller.id)
    final = {to_global_id("Sale", row["id"]): (row["status"], row["updated_at"]) for row in rows}
    assert seen.keys() == final.keys()
    for sale_id, (status, updated_at) in final.items():
        assert seen[sale_id] == (status, updated_at.isoformat()), sale_id
    assert len(versions) == len(set(versions))  # no version of a row was given twice
    assert len(versions) > len(final)  # the rows changed under the loop, and it saw them change


async def test_events_older_than_the_retention_are_pruned(
    client: httpx.AsyncClient, connection: asyncpg.Connection, serving_pool: asyncpg.Pool
) -> None:
    seller = await make_seller(connection)
    await make_sale(connection, seller, created_at=datetime(2026, 11, 1, tzinfo=UTC))
    await connection.execute(
        "insert into events (producer_id, type, object_type, object_pk, occurred_at, payload)"
        " values ($1, 'sale.created', 'Sale', 1, now() - interval '31 days', '{}')",
        seller.id,
    )
    assert len(await events_of(client, seller.key)) == 2
    assert await prune_events(serving_pool, 30) >= 1  # as the serving role, through the migration's function
    assert [e["type"] for e in await events_of(client, seller.key)] == ["sale.created"]
    assert await prune_events(serving_pool, 30) == 0
