"""The producer (seller)."""

from __future__ import annotations

import strawberry

from loaders.producers import ProducerRow
from schema.common import Node
from schema.enums import CurrencyCode
from schema.rows import FromRow, node_type


@node_type(ProducerRow)
@strawberry.type(description="The seller the API key belongs to.")
class Producer(Node, FromRow):
    name: str
    email: str
    time_zone: str = strawberry.field(description="IANA time zone; periods and day buckets are computed in it.")
    default_currency: CurrencyCode
