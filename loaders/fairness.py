"""Sharing one process between producers: how many requests each may run at once, and who goes first.

- **A share of the pool.** A producer runs at most `share` requests at once; its others wait for a turn (as
  they would for a connection, within the same timeout: `PoolExhausted` past it), before their bodies are
  even read. The rest of the pool stays free for the other producers.
- **A producer using its whole share yields to the others.** A producer is *greedy* while it has requests
  waiting for a turn, or runs its whole share (when that is two or more). Its running requests pause at each
  step (when admitted, before each statement and when a statement's rows arrive) as long as a request of a
  producer that is not greedy is running, up to `most_pause_s` per step. For `contention_s` after such a
  request, only its oldest request goes on, and it rests after each statement three times as long as the
  statement took: its statements take at most a quarter (`CONTENDED_DATABASE_SHARE`) of the time while others
  are served.

Why steps: the event loop cannot interrupt a request between two awaits, so a heavy request sitting in front
of a light one at each of its awaits would add up; and PostgreSQL shares its cores among whatever statements
it is given. With the pauses a light request meets at most the step of another producer already under way,
and beside it at most one of a greedy producer's statements.

A producer within its share never pauses, and neither does a producer alone in the process: requests of
similar producers are served as they come, and the pauses only ever cost the producer asking for more.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from loaders.database import PoolExhausted

MOST_PAUSE_S = 0.05
CONTENTION_S = 0.1
CONTENDED_DATABASE_SHARE = 0.25


class Fairness:
    """The producers' turns in one process (see the module's docstring). Used from one event loop."""

    def __init__(self, share: int, most_pause_s: float = MOST_PAUSE_S, contention_s: float = CONTENTION_S) -> None:
        self.share = share
        self.most_pause_s = most_pause_s
        self.contention_s = contention_s
        self._turns: dict[int, asyncio.Semaphore] = {}
        self._running: dict[int, list[Turn]] = {}  # the requests holding a turn, per producer, oldest first
        self._waiting: dict[int, int] = {}  # how many requests wait for a turn, per producer
        self._contended_until = 0.0  # when the last request of a producer that is not greedy ended, + contention_s
        self._paused: list[asyncio.Future[None]] = []  # what paused requests wait on: done when a request ends

    @contextlib.asynccontextmanager
    async def turn(self, producer_id: int, within: float | None) -> AsyncIterator[Turn]:
        """Run one request of `producer_id`: wait (up to `within` seconds) for one of the producer's turns."""
        turns = self._turns.get(producer_id)
        if turns is None:
            turns = self._turns[producer_id] = asyncio.Semaphore(self.share)
        if turns.locked():
            await self._wait_for_turn(turns, producer_id, within)
        else:
            await turns.acquire()  # free: no wait
        running = self._running.setdefault(producer_id, [])
        turn = Turn(self, producer_id)
        running.append(turn)  # a reason more for others to pause, none less: nobody to wake
        try:
            yield turn
        finally:
            if not self.greedy(producer_id):
                self._contended_until = time.monotonic() + self.contention_s
            turns.release()
            running.remove(turn)
            if not running:
                del self._running[producer_id]
                if producer_id not in self._waiting:
                    del self._turns[producer_id]  # nobody holds or waits: forget the producer
            self._changed()

    async def _wait_for_turn(self, turns: asyncio.Semaphore, producer_id: int, within: float | None) -> None:
        self._waiting[producer_id] = self._waiting.get(producer_id, 0) + 1
        try:
            async with asyncio.timeout(within):
                await turns.acquire()
        except TimeoutError:
            raise PoolExhausted(f"the producer held its share of connections for {within} s") from None
        finally:
            self._waiting[producer_id] -= 1
            if not self._waiting[producer_id]:
                del self._waiting[producer_id]

    def greedy(self, producer_id: int) -> bool:
        """Whether the producer has requests waiting for a turn, or runs its whole share (of two or more: with a
        share of one, a producer running one request is not greedy)."""
        running = len(self._running.get(producer_id, ()))
        return producer_id in self._waiting or running >= max(2, self.share)

    def pause_for(self, turn: Turn) -> float:
        """How long `turn` should still let others go first before it is looked at again (0: it goes on)."""
        producer_id = turn.producer_id
        if not self.greedy(producer_id):
            return 0.0
        if any(other != producer_id and not self.greedy(other) for other in self._running):
            return self.most_pause_s
        now = time.monotonic()
        if now >= self._contended_until:
            return 0.0
        if self._running[producer_id][0] is turn:
            return max(0.0, turn.resume_at - now)
        return self._contended_until - now

    def _changed(self) -> None:
        """Wake the paused requests: a request ended, so their pauses may have too."""
        paused, self._paused = self._paused, []
        for waiter in paused:
            _wake(waiter)

    async def wait_for_change(self, longest_s: float) -> None:
        """Until a request ends, or `longest_s` seconds.

        A bare future, not `asyncio.timeout`: the fast executor steps resolvers by hand, outside of any task
        of their own, and a timeout would cancel the request's task.
        """
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._paused.append(waiter)
        timer = loop.call_later(longest_s, _wake, waiter)
        try:
            await waiter
        finally:
            timer.cancel()


_REST_PER_DATABASE_SECOND = 1 / CONTENDED_DATABASE_SHARE - 1


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Turn:
    """One running request's turn: `step()` at each point where it may let other producers go first."""

    __slots__ = ("_fairness", "producer_id", "resume_at")

    def __init__(self, fairness: Fairness, producer_id: int) -> None:
        self._fairness = fairness
        self.producer_id = producer_id
        self.resume_at = 0.0

    async def step(self, database_s: float = 0.0) -> None:
        """Pause while the request's producer should let others go first (see `Fairness`), at most
        `most_pause_s` in all; `database_s`: the time the statement whose rows just arrived took."""
        fairness = self._fairness
        self.resume_at = time.monotonic() + database_s * _REST_PER_DATABASE_SECOND
        pause = fairness.pause_for(self)
        if not pause:
            return
        deadline = time.monotonic() + fairness.most_pause_s
        while pause and (left := deadline - time.monotonic()) > 0:
            await fairness.wait_for_change(min(pause, left))
            pause = fairness.pause_for(self)
