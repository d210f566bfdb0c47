"""The live feed: events over graphql-transport-ws as they commit, resumed after the last one seen with none
lost or repeated, through a lost listening connection, and from any gateway process."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from asyncio.subprocess import PIPE
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import orjson
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.client import ClientProtocol
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import State
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from resolvers.ids import to_global_id
from tests.clients import installed_clients
from tests.factories.producers import Seller, make_seller
from tests.factories.sales import bulk_sales, make_sale
from tests.processes import SALES_GATEWAY, gateway_in_thread, serve_environment, serving

FEED = """
subscription ($after: ID, $types: [String!]) {
  events(after: $after, types: $types) { id type objectId payload }
}
"""


@contextlib.asynccontextmanager
async def feed(url: str, key: str | None) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection to the gateway at `url`, acknowledged."""
    async with connect(
        url.replace("http://", "ws://") + "/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    ) as socket:
        payload = {"Authorization": f"Bearer {key}"} if key else {}
        await socket.send(orjson.dumps({"type": "connection_init", "payload": payload}).decode())
        yield socket


async def acknowledged(socket: ClientConnection) -> None:
    message = orjson.loads(await asyncio.wait_for(socket.recv(), 10))
    assert message == {"type": "connection_ack"}, message


async def subscribe(socket: ClientConnection, variables: dict[str, Any], operation_id: str = "1") -> None:
    message = {"id": operation_id, "type": "subscribe", "payload": {"query": FEED, "variables": variables}}
    await socket.send(orjson.dumps(message).decode())


async def received(socket: ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next `count` events the subscription sends."""
    events: list[dict[str, Any]] = []
    while len(events) < count:
        message = orjson.loads(await asyncio.wait_for(socket.recv(), 15))
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        events.append(message["payload"]["data"]["events"])
    return events


async def write_sales(connection: asyncpg.Connection, seller: Seller, count: int) -> None:
    for n in range(count):
        await make_sale(connection, seller, created_at=datetime(2026, 11, 1 + n % 28, tzinfo=UTC))


@pytest.fixture
def gateway(database_url: str) -> Any:
    with gateway_in_thread(database_url, "live-feed-gateway") as url:
        yield url


async def test_a_subscriber_receives_every_event_as_it_commits_and_resumes_after_the_last_it_saw(
    gateway: str, connection: asyncpg.Connection, database_url: str
) -> None:
    seller = await make_seller(connection)
    async with feed(gateway, seller.key) as socket:
        await acknowledged(socket)
        await subscribe(socket, {"types": ["sale.created"]})
        await asyncio.sleep(0.3)  # subscribed: from now on
        await write_sales(connection, seller, 30)
        first = await received(socket, 30)
    assert [event["type"] for event in first] == ["sale.created"] * 30
    assert len({event["objectId"] for event in first}) == 30

    # while nobody listens: more sales, and the gateway's listening connection is cut
    await write_sales(connection, seller, 20)
    terminated = await connection.fetchval(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity"
        " where datname = current_database() and query ilike 'listen%'"
    )
    assert terminated >= 1  # this gateway's (and any other app's over this database)
    async with feed(gateway, seller.key) as socket:
        await acknowledged(socket)
        await subscribe(socket, {"types": ["sale.created"], "after": first[-1]["id"]})
        missed = await received(socket, 20)
        await write_sales(connection, seller, 10)  # and live again, over a new listening connection
        live = await received(socket, 10)
    seen = [event["objectId"] for event in first + missed + live]
    assert len(seen) == len(set(seen)) == 60
    rows = await connection.fetch("select id from sales where producer_id = $1 order by id", seller.id)
    from resolvers.ids import to_global_id

    assert seen == [to_global_id("Sale", row["id"]) for row in rows]


async def test_a_connection_without_a_valid_key_is_closed_and_scopes_apply_per_event_type(
    gateway: str, connection: asyncpg.Connection
) -> None:
    for key in (None, "sgk_not-a-key"):
        async with feed(gateway, key) as socket:
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 10)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4403
    seller = await make_seller(connection, scopes=["sales:read"])
    async with feed(gateway, seller.key) as socket:
        await acknowledged(socket)
        await subscribe(socket, {"types": ["withdrawal.paid"]})
        message = orjson.loads(await asyncio.wait_for(socket.recv(), 10))
        done = orjson.loads(await asyncio.wait_for(socket.recv(), 10))
    assert message["type"] == "next"
    assert message["payload"]["data"] is None
    errors = message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert done == {"id": "1", "type": "complete"}
    assert "finance:read" in errors[0]["message"]


async def test_a_subscriber_on_each_of_two_gateway_processes_receives_every_event(
    database_url: str, connection: asyncpg.Connection, tmp_path: Path
) -> None:
    seller = await make_seller(connection)
    with (
        serving(database_url, tmp_path / "first.log") as (first, _),
        serving(database_url, tmp_path / "second.log") as (second, _),
    ):
        async with feed(first, seller.key) as one, feed(second, seller.key) as other:
            for socket in (one, other):
                await acknowledged(socket)
                await subscribe(socket, {"types": ["sale.created", "sale.status_changed"]})
            await asyncio.sleep(0.5)
            await write_sales(connection, seller, 15)
            await connection.execute("update sales set status = 'CANCELLED' where producer_id = $1", seller.id)
            by_first, by_second = await asyncio.gather(received(one, 30), received(other, 30))
    assert by_first == by_second
    assert [event["type"] for event in by_first] == ["sale.created"] * 15 + ["sale.status_changed"] * 15


async def _node_feed(url: str, key: str, how_many: int, after: str | None = None) -> asyncio.subprocess.Process:
    """`node tests/clients/feed.mjs`, once it said the server acknowledged its connection."""
    arguments = [url, key, str(how_many), *([after] if after else [])]
    process = await asyncio.create_subprocess_exec(
        "node", "feed.mjs", *arguments, cwd=installed_clients(), stdout=PIPE, stderr=PIPE
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    assert line.strip() == b"connected", line + (await process.stderr.read() if process.stderr else b"")
    return process


async def _events_of(process: asyncio.subprocess.Process) -> list[dict[str, Any]]:
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, stderr.decode()[-3000:]
    events: list[dict[str, Any]] = orjson.loads(stdout.strip().splitlines()[-1])["events"]
    return events


async def test_graphql_ws_receives_every_event_of_a_thousand_simulated_sales_in_order_across_a_cut(
    gateway: str, connection: asyncpg.Connection, database_url: str
) -> None:
    seller = await make_seller(connection)
    first_client = await _node_feed(gateway, seller.key, 400)
    await asyncio.sleep(0.3)  # its subscription is registered: it reads from now on
    simulated = await asyncio.create_subprocess_exec(
        SALES_GATEWAY, "simulate", "--producer", str(seller.id), "--sales", "1000", "--rate", "0",
        env=serve_environment(DATABASE_URL=database_url, LOG_LEVEL="WARNING"), stderr=PIPE,
    )  # fmt: skip
    first = await _events_of(first_client)  # it leaves after 400: its WebSocket is closed midway
    terminated = await connection.fetchval(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity"
        " where datname = current_database() and query ilike 'listen%'"
    )
    assert terminated >= 1  # and the gateway's listening connection is cut
    second = await _events_of(await _node_feed(gateway, seller.key, 600, first[-1]["id"]))
    _, stderr = await simulated.communicate()
    assert simulated.returncode == 0, stderr.decode()
    rows = await connection.fetch("select id from sales where producer_id = $1 order by id", seller.id)
    assert [event["objectId"] for event in first + second] == [to_global_id("Sale", row["id"]) for row in rows]


async def test_typed_feeds_of_sales_carry_the_sale_and_its_statuses(
    gateway: str, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    typed = """
    subscription { created: saleCreated { id status previousStatus sale { transactionCode status } } }
    """
    changed = "subscription { saleStatusChanged { id status previousStatus sale { status } } }"
    async with feed(gateway, seller.key) as socket:
        await acknowledged(socket)
        for operation_id, query in (("created", typed), ("changed", changed)):
            message = {"id": operation_id, "type": "subscribe", "payload": {"query": query}}
            await socket.send(orjson.dumps(message).decode())
        await asyncio.sleep(0.3)
        sale_id = await make_sale(
            connection, seller, created_at=datetime(2026, 11, 1, tzinfo=UTC), status="WAITING_PAYMENT"
        )
        await connection.execute("update sales set status = 'APPROVED', approved_at = now() where id = $1", sale_id)
        by_operation: dict[str, dict[str, Any]] = {}
        while len(by_operation) < 2:
            message = orjson.loads(await asyncio.wait_for(socket.recv(), 15))
            assert message["type"] == "next", message
            by_operation[message["id"]] = message["payload"]["data"]
    created = by_operation["created"]["created"]
    assert (created["status"], created["previousStatus"]) == ("WAITING_PAYMENT", None)
    assert created["sale"]["status"] in ("WAITING_PAYMENT", "APPROVED")  # the sale as it is when sent
    status_changed = by_operation["changed"]["saleStatusChanged"]
    assert (status_changed["status"], status_changed["previousStatus"]) == ("APPROVED", "WAITING_PAYMENT")
    assert created["id"] != status_changed["id"]


class SansIOClient:
    """A graphql-transport-ws client that reads only when asked to: the `websockets` protocol (sans I/O) over a
    socket of ours with a small receive buffer, so that a gateway sending to it while it does not read must wait."""

    def __init__(self, url: str) -> None:
        uri = parse_uri(url.replace("http://", "ws://") + "/graphql")
        self.protocol = ClientProtocol(uri, subprotocols=[Subprotocol("graphql-transport-ws")])
        self.pending: list[Frame] = []
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def open(self, host: str, port: int) -> None:
        tight = socket.socket()
        tight.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        tight.connect((host, port))
        tight.setblocking(False)
        self.streams = await asyncio.open_connection(sock=tight, limit=4096)
        self.protocol.send_request(self.protocol.connect())
        await self._flush()
        while self.protocol.state is State.CONNECTING:
            await self._read()
        assert self.protocol.handshake_exc is None, self.protocol.handshake_exc

    async def send(self, message: dict[str, Any]) -> None:
        self.protocol.send_text(orjson.dumps(message))
        await self._flush()

    async def next_message(self) -> dict[str, Any] | Close:
        """The next message, or the close frame that ended the connection."""
        while True:
            while self.pending:
                frame = self.pending.pop(0)
                if frame.opcode is Opcode.TEXT:
                    message: dict[str, Any] = orjson.loads(frame.data)
                    return message
                if frame.opcode is Opcode.CLOSE:
                    return Close.parse(frame.data)
            await self._read()

    async def _read(self) -> None:
        assert self.streams is not None
        data = await asyncio.wait_for(self.streams[0].read(65536), 15)
        if data:
            self.protocol.receive_data(data)
        else:
            self.protocol.receive_eof()
        self.pending += [event for event in self.protocol.events_received() if isinstance(event, Frame)]
        await self._flush()  # pongs, and the answer to a close

    async def close(self) -> None:
        assert self.streams is not None
        self.streams[1].close()
        with contextlib.suppress(ConnectionError):
            await self.streams[1].wait_closed()

    async def _flush(self) -> None:
        assert self.streams is not None
        for data in self.protocol.data_to_send():
            if data:
                self.streams[1].write(data)
        await self.streams[1].drain()


async def test_a_client_that_stops_taking_its_events_is_disconnected_with_1013(
    database_url: str, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    with gateway_in_thread(database_url, "slow-client-gateway", GATEWAY_FEED_SLOW_CLIENT_S="1") as url:
        host, port = url.removeprefix("http://").split(":")
        slow = SansIOClient(url)
        await slow.open(host, int(port))
        await slow.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {seller.key}"}})
        assert await slow.next_message() == {"type": "connection_ack"}
        subscription = {"query": FEED, "variables": {"types": ["sale.created"]}}
        await slow.send({"id": "1", "type": "subscribe", "payload": subscription})
        await asyncio.sleep(0.3)
        # more than the gateway's and the kernel's buffers hold (about 4 MB): sending to it must wait
        await bulk_sales(connection, seller, 30_000, base=datetime(2026, 11, 1, tzinfo=UTC))
        await asyncio.sleep(8)  # it takes nothing meanwhile
        taken = 0
        try:
            while isinstance(message := await slow.next_message(), dict):
                assert message["type"] == "next", message
                taken += 1
        finally:
            await slow.close()
    assert message.code == 1013
    assert "reconnect with `after`" in message.reason
    assert 0 < taken < 30_000  # what the buffers held when it was disconnected, not the whole backlog
