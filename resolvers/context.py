"""The per-request context every resolver gets: who is asking, and a fresh set of loaders bound to that producer.

The HTTP layer builds it (`gateway/`); nothing in it survives the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from loaders.api_keys import Principal
from loaders.database import TenantDatabase
from loaders.registry import Loaders


@dataclass(slots=True)
class Context:
    request_id: str
    principal: Principal
    db: TenantDatabase
    loaders: Loaders
    prepayment_fee_percent: Decimal

    @property
    def producer_id(self) -> int:
        return self.principal.producer_id
