"""Awaiting the resolvers of one level of a response together, without a task each."""

from __future__ import annotations

import asyncio
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
    results: list[Any] = [None] * len(coroutines)
    ready: list[int] = []  # waited on a future that is now done
    yielded: list[int] = []  # yielded bare (`asyncio.sleep(0)`): step again after one turn of the loop
    waker: list[asyncio.Future[None]] = []
    errors: list[Exception] = []
    pending = 0

    def resume(index: int) -> None:
        ready.append(index)
        if waker and not waker[0].done():
            waker[0].set_result(None)

    def step(index: int) -> None:
        nonlocal pending
        coroutine = coroutines[index]
        try:
            awaited = coroutine.send(None)
        except StopIteration as done:
            results[index] = done.value
            return
        except Exception as error:
            errors.append(error)
            return
        if awaited is not None and not asyncio.isfuture(awaited):
            coroutine.close()
            errors.append(StepAside(f"a resolver awaited {type(awaited).__name__}"))
            return
        pending += 1
        if awaited is None:
            yielded.append(index)
            return
        awaited._asyncio_future_blocking = False  # as a Task does when it takes over a yielded future
        awaited.add_done_callback(lambda _: resume(index))

    try:
        for index in range(len(coroutines)):
            step(index)
        while pending:
            if yielded:
                await asyncio.sleep(0)
                again = yielded[:]
                yielded.clear()
            else:
                if not ready:
                    waker[:] = [asyncio.get_running_loop().create_future()]
                    await waker[0]
                    waker.clear()
                again = ready[:]
                ready.clear()
            pending -= len(again)
            for index in again:
                step(index)
    except BaseException:  # cancelled: stop them all
        for coroutine in coroutines:
            coroutine.close()
        raise
    if errors:
        raise errors[0]
    return results


async def _wrap(awaitable: Any) -> Any:
    return await awaitable
