"""Load from another process: `connections` keep-alive connections each sending one request again and again.

Run as `python -m tests.hammer URL KEY BODY_FILE CONNECTIONS`: it prints one line when every connection has
had an answer, then keeps sending until killed (SIGTERM), and prints the answers counted by status. Raw
sockets and HTTP/1.1 by hand, so that the load costs the gateway what it costs and the sender next to nothing.
"""

from __future__ import annotations

import asyncio
import collections
import signal
import sys
from urllib.parse import urlsplit


async def _answer(reader: asyncio.StreamReader) -> int:
    """Read one response; its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:"))
    await reader.readexactly(length)
    return status


async def _connection(
    host: str, port: int, request: bytes, counts: collections.Counter[int], ready: asyncio.Event
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    while True:
        writer.write(request)
        counts[await _answer(reader)] += 1
        ready.set()


async def main(url: str, key: str, body: bytes, connections: int) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = (
        f"POST /graphql HTTP/1.1\r\nhost: {host}:{port}\r\nauthorization: Bearer {key}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    ).encode() + body
    counts: collections.Counter[int] = collections.Counter()
    firsts = [asyncio.Event() for _ in range(connections)]
    tasks = [asyncio.create_task(_connection(host, port, request, counts, first)) for first in firsts]
    await asyncio.wait_for(asyncio.gather(*(first.wait() for first in firsts)), 60)
    print("loaded", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    for task in tasks:
        task.cancel()
    print(" ".join(f"{status}:{count}" for status, count in sorted(counts.items())), flush=True)


if __name__ == "__main__":
    url_argument, key_argument, body_file, connections_argument = sys.argv[1:5]
    with open(body_file, "rb") as file:
        asyncio.run(main(url_argument, key_argument, file.read(), int(connections_argument)))
