"""Bytes held by what a block of code allocated (tracemalloc), for the tests that hold caches to their estimates."""

from __future__ import annotations

import contextlib
import gc
import tracemalloc
from collections.abc import Callable, Iterator

from graphql.language import visitor

# CPython's type attribute cache keeps the last name looked up in each of its 4,096 slots, and graphql-core's
# visitor looks methods up by names it formats (`f"enter_{kind}"`): up to 4,096 such strings stay alive, in
# no cache of ours. Nothing else the visitor allocates outlives a validation.
_NOT_OURS = [tracemalloc.Filter(False, visitor.__file__)]
# A block this large is a table of the interpreter growing (the dict of interned strings doubles when a
# compiled builder adds names): no cache of ours keeps one (the largest, a document's text, is under 80 KiB).
LARGEST_BLOCK = 256 * 1024


@contextlib.contextmanager
def traced() -> Iterator[Callable[[], int]]:
    """Trace allocations within the block; the function it gives returns the bytes still held by what was
    allocated since the block began (after a collection)."""
    gc.collect()
    tracemalloc.start()
    try:

        def held() -> int:
            gc.collect()
            snapshot = tracemalloc.take_snapshot().filter_traces(_NOT_OURS)
            return sum(trace.size for trace in snapshot.traces if trace.size < LARGEST_BLOCK)

        yield held
    finally:
        tracemalloc.stop()
