"""Every loader of one request, built together over the request's `TenantDatabase`."""

from __future__ import annotations

from dataclasses import dataclass

from loaders.base import TenantDatabase
from loaders.producers import ProducerByIdLoader


@dataclass(slots=True)
class Loaders:
    db: TenantDatabase
    producer_by_id: ProducerByIdLoader

    @classmethod
    def for_request(cls, db: TenantDatabase) -> Loaders:
        return cls(db=db, producer_by_id=ProducerByIdLoader(db))
