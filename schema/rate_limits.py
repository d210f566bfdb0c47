"""`rateLimit`: where the key stands in its budget of cost points, without spending any."""

from __future__ import annotations

import datetime

import strawberry
from strawberry.types import Info

from resolvers import rate_limits as rate_limits_resolvers
from resolvers.context import Context
from schema.cost import cost


@strawberry.type(
    description="The key's bucket of cost points: each request takes its requested cost when it starts and "
    "gets back what its answer did not use; the bucket refills at `restoreRate` points a second."
)
class RateLimit:
    maximum_available: int = strawberry.field(description="The most the bucket holds.")
    currently_available: int = strawberry.field(
        description="The points in the bucket now, this request's requested cost taken."
    )
    restore_rate: int = strawberry.field(description="The points the bucket gets back each second.")
    reset_at: datetime.datetime = strawberry.field(description="When the bucket is full again.")


@strawberry.field(description="Where the API key stands in its budget of cost points. Costs nothing.", metadata=cost(0))
def rate_limit(info: Info[Context, None]) -> RateLimit:
    status, full_at = rate_limits_resolvers.rate_limit(info.context)
    return RateLimit(
        maximum_available=status.maximum_available,
        currently_available=status.currently_available,
        restore_rate=status.restore_rate,
        reset_at=full_at,
    )
