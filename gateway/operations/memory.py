"""The garbage collector, tuned for a server that makes many short-lived objects per request."""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)


def tune_garbage_collection(threshold: int) -> None:
    """Collect young objects every `threshold` allocations instead of Python's 700, and leave the objects
    made while starting (schema, types, parsed modules) out of every later collection.

    A request's objects are freed by reference counting as it ends; what the cyclic collector does while
    requests are in flight is mostly walking objects that are still in use. With 16 requests at once it
    cost a third of the gateway's CPU time at the default threshold (`python -m bench.profile Q3 Q5
    --concurrency 16`: 3.85 and 4.19 ms per request at 700, 2.54 and 2.91 ms at 10,000). `0` keeps
    Python's defaults.
    """
    if threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(threshold, 10, 10)
    log.debug("garbage collection: threshold %d, %d objects frozen", threshold, gc.get_freeze_count())
