"""Recommended strategies, derived from the producer's own numbers."""

from __future__ import annotations

import strawberry

from schema.rows import FromRow, row_type


@row_type()
@strawberry.type(
    description="Something the producer could do, derived from its own numbers of the last 30 days "
    "(in its time zone). Scope: reports:read."
)
class Strategy(FromRow):
    code: str = strawberry.field(
        description="Stable code of the rule, e.g. HIGH_LOST_SALE_RATE, RISING_CANCELLATIONS, EXPIRED_BILLETS, "
        "RECOVER_ABANDONED_CHECKOUTS, PENDING_AFFILIATIONS, LOW_PIX_ADOPTION, NO_AFFILIATES."
    )
    title: str
    description: str = strawberry.field(description="What to do.")
    priority: int = strawberry.field(description="1 is the most urgent; the list is sorted by it.")
    reason: str = strawberry.field(description="The producer's figures that triggered the rule.")
