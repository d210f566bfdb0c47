"""Strategies end to end: every rule fires for a seller whose rows call for it, none for a healthy one, and
another seller's rows never count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from tests.factories.affiliations import make_affiliation
from tests.factories.catalog import make_affiliate, make_buyer
from tests.factories.lost_sales import make_lost_sale
from tests.factories.producers import make_seller
from tests.factories.sales import make_sale
from tests.factories.subscriptions import make_subscription
from tests.graphql import data_of

STRATEGIES = "{ strategies { code title description priority reason } }"


async def test_every_rule_fires_end_to_end(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection, time_zone="America/Sao_Paulo")
    now = datetime.now(UTC)
    recent = now - timedelta(days=3)
    for _ in range(20):  # made BRL sales by card: no Pix
        await make_sale(connection, seller, fees="0.00", created_at=recent)
    for _ in range(6):  # billets that expired unpaid
        await make_sale(connection, seller, fees="0.00", created_at=recent, status="EXPIRED", payment_method="BILLET")
    for n in range(12):  # abandoned checkouts, one buyer each; the first buyer tried three times
        buyer = await make_buyer(connection, seller.id)
        for attempt in range(3 if n == 0 else 1):
            await make_lost_sale(connection, seller, created_at=recent + timedelta(minutes=attempt), buyer_id=buyer)
    for _ in range(2):
        buyer = await make_buyer(connection, seller.id)
        await make_lost_sale(
            connection, seller, created_at=recent, buyer_id=buyer, reason="BILLET_EXPIRED", payment_method="BILLET"
        )
    affiliate = await make_affiliate(connection, seller.id)
    await make_affiliation(
        connection,
        seller.id,
        affiliate_id=affiliate,
        product_id=seller.product_id,
        status="PENDING",
        applied_at=now - timedelta(days=12, hours=1),
    )
    started = now - timedelta(days=400)
    for days_ago, count in ((2, 6), (45, 2), (75, 5)):  # recent, the 30 days before, older
        for _ in range(count):
            await make_subscription(connection, seller, started_at=started, cancelled_at=now - timedelta(days=days_ago))
    # someone else's numbers never count
    other = await make_seller(connection, time_zone="America/Sao_Paulo")
    for _ in range(30):
        await make_sale(connection, other, fees="0.00", created_at=recent, payment_method="PIX")

    found = (await data_of(client, seller.key, STRATEGIES))["strategies"]
    assert [(s["code"], s["priority"], s["reason"]) for s in found] == [
        ("HIGH_LOST_SALE_RATE", 1, "14 of 34 checkouts were lost (41.2%) in the last 30 days"),
        (
            "RISING_CANCELLATIONS",
            2,
            "6 subscriptions were cancelled in the last 30 days, against 2 in the 30 days before (+200.0%)",
        ),
        ("EXPIRED_BILLETS", 3, "8 of 8 billets expired unpaid (100.0%) in the last 30 days"),
        ("RECOVER_ABANDONED_CHECKOUTS", 4, "12 of 12 abandoned checkouts of the last 30 days were not recovered"),
        ("PENDING_AFFILIATIONS", 5, "1 affiliation application is waiting for a decision, the oldest for 12 days"),
        ("LOW_PIX_ADOPTION", 6, "0 of 20 sales in BRL were paid with Pix (0.0%) in the last 30 days"),
        ("NO_AFFILIATES", 7, "You have 1 product and no active affiliate"),
    ]
    assert all(s["title"] and s["description"] for s in found)


async def test_no_rule_fires_for_a_healthy_seller_end_to_end(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection, time_zone="Asia/Tokyo")
    now = datetime.now(UTC)
    recent = now - timedelta(days=2)
    for n in range(25):
        method = "PIX" if n % 2 else "CREDIT_CARD"
        await make_sale(connection, seller, fees="0.00", created_at=recent, payment_method=method)
    await make_lost_sale(connection, seller, created_at=recent)
    affiliate = await make_affiliate(connection, seller.id)
    await make_affiliation(
        connection, seller.id, affiliate_id=affiliate, product_id=seller.product_id, applied_at=now - timedelta(days=90)
    )
    # outside the last 30 days: old abandoned checkouts and expired billets, and cancellations of the 30 days before
    old = now - timedelta(days=40)
    for _ in range(15):
        buyer = await make_buyer(connection, seller.id)
        await make_lost_sale(connection, seller, created_at=old, buyer_id=buyer)
        await make_sale(connection, seller, fees="0.00", created_at=old, status="EXPIRED", payment_method="BILLET")
        await make_subscription(connection, seller, started_at=now - timedelta(days=400), cancelled_at=old)
    await make_subscription(connection, seller, started_at=now - timedelta(days=400), cancelled_at=recent)
    # another seller whose numbers would fire every rule
    other = await make_seller(connection)
    for _ in range(12):
        buyer = await make_buyer(connection, other.id)
        await make_lost_sale(connection, other, created_at=recent, buyer_id=buyer)
        await make_subscription(connection, other, started_at=now - timedelta(days=400), cancelled_at=recent)
        await make_sale(connection, other, fees="0.00", created_at=recent, status="EXPIRED", payment_method="BILLET")

    assert (await data_of(client, seller.key, STRATEGIES))["strategies"] == []
