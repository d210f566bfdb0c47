"""The producer behind the request's key."""

from __future__ import annotations

from loaders.producers import ProducerByIdLoader, ProducerRow
from resolvers.context import Context
from resolvers.errors import Unauthenticated


async def viewer(context: Context) -> ProducerRow:
    producer = await context.loaders.get(ProducerByIdLoader).load(context.producer_id)
    if producer is None:  # the key outlived its producer
        raise Unauthenticated("The API key's producer no longer exists")
    return producer
