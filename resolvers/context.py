"""The per-request context every resolver gets: who is asking, and a fresh set of loaders bound to that producer.

The HTTP layer builds it (`gateway/`); nothing in it survives the request.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from loaders.api_keys import Principal
from loaders.database import TenantDatabase
from loaders.registry import Loaders

if TYPE_CHECKING:
    from resolvers.relations import Relation


@dataclass(frozen=True, slots=True)
class ThrottleStatus:
    """A key's bucket of cost points (`gateway/http/throttling.py`): the most it holds, what it holds now, and
    the points it gets back a second."""

    maximum_available: int
    currently_available: int
    restore_rate: int

    @property
    def seconds_to_full(self) -> int:
        return math.ceil((self.maximum_available - self.currently_available) / self.restore_rate)


@dataclass(slots=True)
class Context:
    request_id: str
    principal: Principal
    db: TenantDatabase
    loaders: Loaders
    prepayment_fee_percent: Decimal
    throttle_status: ThrottleStatus  # the key's cost budget once this request's requested cost was taken
    production: bool = False  # GATEWAY_ENV=production: stricter rules where they differ (webhook endpoints)
    # by row type: the relations found by id (`Relation.join`) that a list of such rows fetches in its own
    # statement (`lists.list_page`); the fast executor names those the document selects
    joins: dict[type, frozenset[Relation]] = field(default_factory=dict)

    @property
    def producer_id(self) -> int:
        return self.principal.producer_id
