"""The producer (seller)."""

from __future__ import annotations

import strawberry

from loaders.producers import ProducerRow
from schema.common import CurrencyCode, Node
from schema.ids import to_global_id


@strawberry.type(description="The seller the API key belongs to.")
class Producer(Node):
    name: str
    email: str
    time_zone: str = strawberry.field(description="IANA time zone; periods and day buckets are computed in it.")
    default_currency: CurrencyCode

    @classmethod
    def from_row(cls, row: ProducerRow) -> Producer:
        return cls(
            id=strawberry.ID(to_global_id("Producer", row.id)),
            name=row.name,
            email=row.email,
            time_zone=row.time_zone,
            default_currency=CurrencyCode(row.default_currency),
        )
