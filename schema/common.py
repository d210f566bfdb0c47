"""Types shared by every domain: money, currencies, date ranges, the Node interface."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import strawberry

from resolvers.periods import MAX_PERIOD_DAYS
from schema.enums import CurrencyCode

CURRENCIES = {member.name: member for member in CurrencyCode}  # a dict lookup: cheaper than CurrencyCode(x)


@strawberry.type(description="An exact amount of one currency.")
class Money:
    amount: Decimal
    currency: CurrencyCode

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        return cls(amount=amount, currency=CURRENCIES[currency])


@strawberry.input(
    description=f"Inclusive range of days, in the producer's time zone: `from` not after `to`, at most"
    f" {MAX_PERIOD_DAYS:,} days."
)
class DateRangeInput:
    from_: datetime.date = strawberry.field(name="from")
    to: datetime.date


@strawberry.type(description="Inclusive range of days, in the producer's time zone.")
class DateRange:
    from_: datetime.date = strawberry.field(name="from")
    to: datetime.date


@strawberry.interface(description="An object with an opaque global id, resolvable through `node(id:)`.")
class Node:
    id: strawberry.ID


NODE_TYPES: dict[
    str, Any
] = {}  # every Node type by its name, which is also the type name in its ids (`schema/rows.py`)
