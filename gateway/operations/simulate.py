"""`sales-gateway simulate`: checkout activity for one producer, written straight into the database.

The real checkout writes sales without this gateway; this stands in for it, so that the outbox, the live feed
and the dashboard can be seen working: new sales (cards approved at once, billets and Pix paid a little later),
lost sales, refund requests, at a steady rate.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field

import asyncpg

from loaders.checkout import approve_waiting_sale, lost_sale, new_sale, offers, refund_request

log = logging.getLogger(__name__)

PAYMENT_METHODS = (("CREDIT_CARD", 0.55), ("PIX", 0.25), ("BILLET", 0.1), ("DEBIT_CARD", 0.1))
LOST_REASONS = ("CARD_DECLINED", "ABANDONED_CHECKOUT", "INSUFFICIENT_FUNDS", "PIX_EXPIRED")
ACTIVITIES = (("sale", 0.6), ("approval", 0.2), ("lost_sale", 0.15), ("refund_request", 0.05))


@dataclass(slots=True)
class Simulated:
    """What a simulation wrote, by kind of activity."""

    written: dict[str, int] = field(default_factory=dict)

    def count(self, activity: str) -> None:
        self.written[activity] = self.written.get(activity, 0) + 1

    @property
    def sales(self) -> int:
        return self.written.get("sale", 0)

    def summary(self) -> str:
        return ", ".join(f"{count} {activity.replace('_', ' ')}s" for activity, count in self.written.items())


def _weighted(rng: random.Random, choices: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([name for name, _ in choices], [weight for _, weight in choices])[0]


async def simulate(
    owner_url: str, producer_id: int, rate: float, done: Simulated, *, sales: int | None = None, seed: int | None = None
) -> None:
    """Write checkout activity for `producer_id` at `rate` activities a second (0: as fast as the database
    takes them), counted in `done`, until `sales` new sales were made (None: until cancelled)."""
    rng = random.Random(seed)  # noqa: S311 - made-up activity, not secrets
    connection = await asyncpg.connect(owner_url)
    try:
        catalog, buyers = await offers(connection, producer_id)
        started = time.monotonic()
        while sales is None or done.sales < sales:
            activity = _weighted(rng, ACTIVITIES)
            offer, buyer = rng.choice(catalog), rng.choice(buyers)
            method = _weighted(rng, PAYMENT_METHODS)
            if activity == "sale":
                await new_sale(connection, producer_id, offer, buyer, method, approved=method.endswith("CARD"))
            elif activity == "approval":
                if await approve_waiting_sale(connection, producer_id) is None:
                    continue
            elif activity == "lost_sale":
                await lost_sale(connection, producer_id, offer, buyer, rng.choice(LOST_REASONS), method)
            elif await refund_request(connection, producer_id) is None:
                continue
            done.count(activity)
            if rate > 0:  # keep to the rate on average, whatever a write took
                await asyncio.sleep(max(0.0, sum(done.written.values()) / rate - (time.monotonic() - started)))
    finally:
        await connection.close()
