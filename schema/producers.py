"""The producer (seller)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from loaders.producers import ProducerRow
from resolvers import producers
from resolvers.context import Context
from resolvers.ids import to_global_id
from schema.common import CurrencyCode, Node, node_type


@node_type
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


@strawberry.type
class ProducersQuery:
    @strawberry.field(description="The producer the API key belongs to.")
    async def viewer(self, info: Info[Context, None]) -> Producer:
        return Producer.from_row(await producers.viewer(info.context))
