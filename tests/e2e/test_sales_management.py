"""The Sales Management card equals an independent computation from the rows."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import asyncpg
import httpx

from tests.factories.catalog import make_buyer
from tests.factories.lost_sales import make_lost_sale
from tests.factories.producers import make_seller
from tests.factories.sales import make_sale
from tests.graphql import data_of

CARD = """
query ($currency: CurrencyCode, $period: DateRangeInput) {
  salesManagement(currency: $currency, period: $period) {
    period { from to }
    sales { currency count grossRevenue { amount currency } netRevenue { amount currency } }
    lostSales { count recoveredCount potentialRevenue { amount currency } }
    asOf
  }
}
"""


def _last_seven_days(time_zone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(time_zone)
    today = datetime.now(UTC).astimezone(zone).date()
    start = datetime.combine(today - timedelta(days=6), time.min, tzinfo=zone)
    return start, datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)


async def test_card_counts_made_sales_of_the_last_seven_local_days(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection, time_zone="America/Sao_Paulo")
    start, end = _last_seven_days("America/Sao_Paulo")
    second = timedelta(seconds=1)
    # inside: the first instant, the last instant, and every made status and currency
    await make_sale(connection, seller, created_at=start, gross="100.00", fees="10.00", taxes="1.50")
    await make_sale(connection, seller, created_at=end - second, status="COMPLETE", gross="50.25", fees="5.00")
    await make_sale(connection, seller, created_at=start + timedelta(days=2), currency="USD", gross="20.00")
    # outside: just before, just after (UTC midnight is not the producer's), and not made
    await make_sale(connection, seller, created_at=start - second, gross="999.00")
    await make_sale(connection, seller, created_at=end, gross="999.00")
    for status in ("REFUNDED", "CANCELLED", "WAITING_PAYMENT", "CHARGEBACK"):
        await make_sale(connection, seller, created_at=start + timedelta(hours=5), status=status, gross="999.00")

    card = (await data_of(client, seller.key, CARD))["salesManagement"]

    assert card["period"] == {"from": str(start.date()), "to": str((end - second).date())}
    assert card["sales"] == [
        {
            "currency": "BRL",
            "count": 2,
            "grossRevenue": {"amount": "150.25", "currency": "BRL"},
            "netRevenue": {"amount": "133.75", "currency": "BRL"},
        },
        {
            "currency": "USD",
            "count": 1,
            "grossRevenue": {"amount": "20.00", "currency": "USD"},
            "netRevenue": {"amount": "10.10", "currency": "USD"},
        },
    ]
    assert card["lostSales"] == {"count": 0, "recoveredCount": 0, "potentialRevenue": []}
    assert datetime.fromisoformat(card["asOf"]) <= datetime.now(UTC)


async def test_lost_sales_count_the_last_attempt_per_buyer_and_product(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection, time_zone="UTC")
    start, _ = _last_seven_days("UTC")
    other_buyer = await make_buyer(connection, seller.id)
    third_buyer = await make_buyer(connection, seller.id)
    # three attempts by one buyer on one product count once, as the last one (amount 70)
    for hours, amount in ((1, "50.00"), (2, "60.00"), (3, "70.00")):
        await make_lost_sale(connection, seller, created_at=start + timedelta(hours=hours), amount=amount)
    # another buyer's lost sale, later recovered by a made sale
    recovery = await make_sale(connection, seller, created_at=start + timedelta(days=1), buyer_id=other_buyer)
    await make_lost_sale(
        connection, seller, created_at=start + timedelta(hours=4), buyer_id=other_buyer, recovered_sale_id=recovery
    )
    # a third buyer's lost sale in EUR
    await make_lost_sale(
        connection, seller, created_at=start + timedelta(hours=5), buyer_id=third_buyer, currency="EUR", amount="9.99"
    )
    # before the period: not counted
    await make_lost_sale(connection, seller, created_at=start - timedelta(days=1), buyer_id=third_buyer)

    card = (await data_of(client, seller.key, CARD))["salesManagement"]
    assert card["lostSales"] == {
        "count": 3,
        "recoveredCount": 1,
        "potentialRevenue": [{"amount": "70.00", "currency": "BRL"}, {"amount": "9.99", "currency": "EUR"}],
    }

    only_eur = (await data_of(client, seller.key, CARD, {"currency": "EUR"}))["salesManagement"]
    assert only_eur["lostSales"]["count"] == 1
    assert only_eur["sales"] == []


async def test_explicit_period_and_empty_producer(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection, time_zone="Asia/Tokyo")
    period = {"from": "2024-02-28", "to": "2024-03-01"}
    zone = ZoneInfo("Asia/Tokyo")
    inside = datetime(2024, 2, 29, 23, 59, tzinfo=zone)
    await make_sale(connection, seller, created_at=inside, gross="10.00", fees="1.00")
    await make_sale(connection, seller, created_at=datetime(2024, 3, 2, 0, 0, tzinfo=zone), gross="10.00")

    card = (await data_of(client, seller.key, CARD, {"period": period}))["salesManagement"]
    assert card["period"] == period
    assert [(row["count"], row["grossRevenue"]["amount"]) for row in card["sales"]] == [(1, "10.00")]

    empty = await make_seller(connection)
    card = (await data_of(client, empty.key, CARD))["salesManagement"]
    assert card["sales"] == []
    assert card["lostSales"] == {"count": 0, "recoveredCount": 0, "potentialRevenue": []}


async def test_reversed_period_is_bad_user_input(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection)
    response = await client.post(
        "/graphql",
        json={"query": CARD, "variables": {"period": {"from": "2024-03-02", "to": "2024-03-01"}}},
        headers={"authorization": f"Bearer {seller.key}"},
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "period.from" in error["message"]


def expected_card(rows: list[asyncpg.Record]) -> dict[str, tuple[int, Decimal, Decimal]]:
    """Per currency: (count, gross, net) of made sales, computed in Python from raw rows."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    for row in rows:
        if row["status"] in ("APPROVED", "COMPLETE"):
            entry = totals[row["currency"]]
            entry[0] += 1
            entry[1] += row["gross_amount"]
            entry[2] += row["gross_amount"] - row["fees"] - row["taxes"] - row["affiliate_commission"]
    return {currency: (int(c), g, n) for currency, (c, g, n) in totals.items()}
