"""Awaiting the resolvers of one level of a response together, without a task each."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from gateway.execution.planning import StepAside


async def await_together(awaitables: list[Any]) -> list[Any]:
    """Await many coroutines together, without a task for each: what `asyncio.gather` does, less the Task
    objects it makes per coroutine.

    Each coroutine is stepped until it waits on a future (a loader's, typically: the loader batches all the
    keys loaded in one pass into one statement when the event loop next runs); the future's done callback
    marks it ready, and it is stepped again. One callback per wait, so a level of a thousand loads costs a
    thousand callbacks, not a thousand per wake-up.

    When one raises, the others still run to their end before the first error is raised: none is left
    half way through a statement on the request's connection when the stock executor takes it over.
    """
    coroutines = [value if asyncio.iscoroutine(value) else _wrap(value) for value in awaitables]
    stepper = _Stepper(coroutines)
    try:
        await stepper.run()
    except BaseException:  # cancelled: stop them all
        for coroutine in coroutines:
            coroutine.close()
        raise
    if stepper.errors:
        raise stepper.errors[0]
    return stepper.results


class _Stepper:
    """Steps coroutines by hand: each until it waits, again when what it waits on is done."""

    def __init__(self, coroutines: list[Coroutine[Any, Any, Any]]) -> None:
        self.coroutines = coroutines
        self.results: list[Any] = [None] * len(coroutines)
        self.errors: list[Exception] = []
        self.ready: list[int] = []  # waited on a future that is now done
        self.yielded: list[int] = []  # yielded bare (`asyncio.sleep(0)`): step again after one turn of the loop
        self.waker: asyncio.Future[None] | None = None
        self.pending = 0

    async def run(self) -> None:
        for index in range(len(self.coroutines)):
            self.step(index)
        while self.pending:
            if self.yielded:
                await asyncio.sleep(0)
                again, self.yielded = self.yielded, []
            else:
                if not self.ready:
                    self.waker = asyncio.get_running_loop().create_future()
                    await self.waker
                    self.waker = None
                again, self.ready = self.ready, []
            self.pending -= len(again)
            for index in again:
                self.step(index)

    def resume(self, index: int) -> None:
        self.ready.append(index)
        if self.waker is not None and not self.waker.done():
            self.waker.set_result(None)

    def step(self, index: int) -> None:
        coroutine = self.coroutines[index]
        try:
            awaited = coroutine.send(None)
        except StopIteration as done:
            self.results[index] = done.value
            return
        except Exception as error:
            self.errors.append(error)
            return
        if awaited is not None and not asyncio.isfuture(awaited):
            coroutine.close()
            self.errors.append(StepAside(f"a resolver awaited {type(awaited).__name__}"))
            return
        self.pending += 1
        if awaited is None:
            self.yielded.append(index)
            return
        awaited._asyncio_future_blocking = False  # as a Task does when it takes over a yielded future
        awaited.add_done_callback(lambda _: self.resume(index))


async def _wrap(awaitable: Any) -> Any:
    return await awaitable
