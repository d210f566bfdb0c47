"""The producer (seller) a request acts for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from loaders.batching import ProducerLoader, in_key_order


@dataclass(slots=True)
class ProducerRow:
    id: int
    name: str
    email: str
    time_zone: str
    default_currency: str
    created_at: datetime


class ProducerByIdLoader(ProducerLoader[int, ProducerRow]):
    """Producers by id; a request only ever sees its own producer."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[ProducerRow | None]:
        rows = await self.db.fetch(
            """
            select id, name, email, time_zone, default_currency, created_at
            from producers
            where id = $1 and id = any($2::bigint[])
            """,
            self.db.producer_id,
            list(keys),
        )
        return in_key_order(keys, {row["id"]: ProducerRow(**row) for row in rows})
