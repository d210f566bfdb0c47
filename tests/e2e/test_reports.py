"""Every report equals an independent computation in Python from the raw rows of the seller.

The rows are arranged by hand (a seeded generator plus explicit rows on both sides of the period's
boundaries) in America/Sao_Paulo, where the producer's midnight is 03:00 UTC: a sale at 01:00 UTC on the
1st belongs to the last day of the month before.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from resolvers.ids import to_global_id
from tests.factories.catalog import make_affiliate, make_buyer, make_product
from tests.factories.lost_sales import make_lost_sale
from tests.factories.producers import Seller, make_seller
from tests.factories.refunds import make_refund
from tests.factories.sales import make_sale
from tests.graphql import data_of, post

ZONE_NAME = "America/Sao_Paulo"
ZONE = ZoneInfo(ZONE_NAME)
FIRST, LAST = date(2024, 3, 1), date(2024, 3, 31)
PERIOD = {"from": str(FIRST), "to": str(LAST)}
MADE = ("APPROVED", "COMPLETE")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")

MONEY = "{ amount currency }"
DEVICES = f"""
query ($period: DateRangeInput!, $currency: CurrencyCode) {{
  reports {{ revenueByDevice(period: $period, currency: $currency) {{ device sales revenue {MONEY} }} }}
}}
"""
RECOVERY = f"""
query ($period: DateRangeInput!) {{
  reports {{ purchaseRecovery(period: $period) {{ lost recovered recoveryRate recoveredRevenue {MONEY} }} }}
}}
"""
PRODUCTS = f"""
query ($period: DateRangeInput!, $currency: CurrencyCode) {{
  reports {{
    productRevenue(period: $period, currency: $currency) {{
      product {{ id name }} sales grossRevenue {MONEY} netRevenue {MONEY} refunds
    }}
  }}
}}
"""
PROMOTED = f"""
query ($period: DateRangeInput!) {{
  reports {{
    promotedProducts(period: $period) {{ product {{ id }} affiliates sales revenue {MONEY} commission {MONEY} }}
  }}
}}
"""
OVER_TIME = f"""
query ($period: DateRangeInput!, $bucket: TimeBucket!, $currency: CurrencyCode) {{
  reports {{
    revenueOverTime(period: $period, bucket: $bucket, currency: $currency) {{ start sales grossRevenue {MONEY} }}
  }}
}}
"""
SOURCES = f"""
query ($period: DateRangeInput!) {{
  reports {{ trafficSources(period: $period) {{ source sales lostSales conversionRate revenue {MONEY} }} }}
}}
"""
EVERY_REPORT = f"""
query ($period: DateRangeInput!) {{
  reports {{
    paymentMethods(period: $period) {{ paymentMethod }}
    revenueByDevice(period: $period) {{ device }}
    purchaseRecovery(period: $period) {{ lost recovered recoveryRate recoveredRevenue {MONEY} }}
    productRevenue(period: $period) {{ sales }}
    promotedProducts(period: $period) {{ sales }}
    day: revenueOverTime(period: $period, bucket: DAY) {{ start }}
    month: revenueOverTime(period: $period, bucket: MONTH) {{ start }}
    trafficSources(period: $period) {{ source }}
  }}
}}
"""


# ---- arranging ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Shop:
    seller: Seller
    products: list[int]
    buyers: list[int]
    affiliates: list[int]


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high)) / 100


async def arrange_shop(connection: asyncpg.Connection, seed: int) -> Shop:
    """A seller with three products, five buyers, three affiliates, ~100 sales in three currencies over
    late February to early April (local), lost sales with repeated attempts and recoveries, and refunds."""
    rng = random.Random(seed)
    seller = await make_seller(connection, time_zone=ZONE_NAME)
    products = [seller.product_id, *[await make_product(connection, seller.id, kind="EBOOK") for _ in range(2)]]
    buyers = [seller.buyer_id, *[await make_buyer(connection, seller.id) for _ in range(4)]]
    affiliates = [await make_affiliate(connection, seller.id) for _ in range(3)]
    window_start = datetime(2024, 2, 27, tzinfo=ZONE)
    window_minutes = 38 * 24 * 60
    statuses = [*["APPROVED"] * 5, *["COMPLETE"] * 2, "REFUNDED", "CANCELLED", "WAITING_PAYMENT", "EXPIRED"]
    sources = ["google", "instagram", "newsletter", None, ""]

    async def sale(created_at: datetime, **overrides: Any) -> int:
        gross = _money(rng, 1_000, 50_000)
        affiliate = rng.choice([None, None, *affiliates])
        columns: dict[str, Any] = {
            "status": rng.choice(statuses),
            "currency": rng.choice(["BRL", "BRL", "USD", "EUR"]),
            "gross": str(gross),
            "fees": str((gross * Decimal("0.099")).quantize(CENT)),
            "taxes": str(rng.choice([ZERO, (gross * Decimal("0.05")).quantize(CENT)])),
            "affiliate_id": affiliate,
            "commission": str((gross * Decimal("0.3")).quantize(CENT) if affiliate else ZERO),
            "buyer_id": rng.choice(buyers),
            "product_id": rng.choice(products),
            "payment_method": rng.choice(["CREDIT_CARD", "PIX", "BILLET"]),
            "device": rng.choice(["DESKTOP", "MOBILE", "TABLET", "UNKNOWN"]),
            "source": rng.choice(sources),
        }
        columns.update(overrides)
        return await make_sale(connection, seller, created_at=created_at, **columns)

    for _ in range(80):
        await sale(window_start + timedelta(minutes=rng.randrange(window_minutes)))
    # both sides of each boundary, made, so that a wrong boundary changes every report
    period_start = datetime(2024, 3, 1, tzinfo=ZONE)
    period_end = datetime(2024, 4, 1, tzinfo=ZONE)
    second = timedelta(seconds=1)
    for created_at in (period_start - second, period_start, period_end - second, period_end):
        for currency in ("BRL", "USD"):
            await sale(created_at, status="APPROVED", currency=currency)

    for _ in range(40):
        buyer, product = rng.choice(buyers), rng.choice(products)
        created_at = window_start + timedelta(minutes=rng.randrange(window_minutes))
        recovered_by = None
        if rng.random() < 0.4:
            recovered_by = await sale(
                created_at + timedelta(hours=rng.randrange(1, 72)),
                status=rng.choice(MADE),
                buyer_id=buyer,
                product_id=product,
            )
        await make_lost_sale(
            connection,
            seller,
            created_at=created_at,
            amount=str(_money(rng, 1_000, 30_000)),
            currency=rng.choice(["BRL", "USD"]),
            buyer_id=buyer,
            product_id=product,
            recovered_sale_id=recovered_by,
            reason=rng.choice(["ABANDONED_CHECKOUT", "CARD_DECLINED", "BILLET_EXPIRED"]),
            source=rng.choice(sources),
        )
    # lost attempts right at the boundaries
    for created_at in (period_start - second, period_start, period_end - second, period_end):
        await make_lost_sale(
            connection, seller, created_at=created_at, buyer_id=rng.choice(buyers), product_id=products[2]
        )

    sale_rows = await connection.fetch("select id, currency from sales where producer_id = $1", seller.id)
    for sale_row in rng.sample(list(sale_rows), 25):
        await make_refund(
            connection,
            seller,
            sale_id=sale_row["id"],
            requested_at=window_start + timedelta(minutes=rng.randrange(window_minutes)),
            status=rng.choice(["REQUESTED", "APPROVED", "DENIED", "COMPLETED", "CANCELLED"]),
            currency=sale_row["currency"],
        )
    return Shop(seller, products, buyers, affiliates)


@dataclass(frozen=True, slots=True)
class Rows:
    sales: list[asyncpg.Record]
    lost_sales: list[asyncpg.Record]
    refunds: list[asyncpg.Record]


async def raw_rows(connection: asyncpg.Connection, seller: Seller) -> Rows:
    return Rows(
        sales=await connection.fetch("select * from sales where producer_id = $1", seller.id),
        lost_sales=await connection.fetch("select * from lost_sales where producer_id = $1", seller.id),
        refunds=await connection.fetch("select * from refunds where producer_id = $1", seller.id),
    )


# ---- the independent computation ------------------------------------------------------------------


def local_day(moment: datetime, zone: ZoneInfo = ZONE) -> date:
    return moment.astimezone(zone).date()


def in_period(moment: datetime, first: date = FIRST, last: date = LAST, zone: ZoneInfo = ZONE) -> bool:
    return first <= local_day(moment, zone) <= last


def made_in_period(rows: Rows, first: date = FIRST, last: date = LAST, zone: ZoneInfo = ZONE) -> list[Any]:
    return [s for s in rows.sales if s["status"] in MADE and in_period(s["created_at"], first, last, zone)]


def counted_lost_sales(rows: Rows) -> list[asyncpg.Record]:
    """The last attempt per buyer and product, kept when it falls in the period."""
    last: dict[tuple[int, int], asyncpg.Record] = {}
    for row in rows.lost_sales:
        key = (row["buyer_id"], row["product_id"])
        if key not in last or (row["created_at"], row["id"]) > (last[key]["created_at"], last[key]["id"]):
            last[key] = row
    return [row for row in last.values() if in_period(row["created_at"])]


def rate(part: int, whole: int) -> str:
    return str((Decimal(100) * part / whole).quantize(CENT, rounding=ROUND_HALF_UP))


def money_list(totals: dict[str, Decimal]) -> list[dict[str, str]]:
    return [{"amount": str(totals[currency]), "currency": currency} for currency in sorted(totals)]


def sums_by_currency(rows: Iterable[Any], column: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        totals[row["currency"]] += row[column]
    return dict(totals)


# ---- the reports ----------------------------------------------------------------------------------


async def test_revenue_by_device(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    shop = await arrange_shop(connection, seed=1)
    await arrange_shop(connection, seed=2)  # another seller's rows in the same period
    rows = await raw_rows(connection, shop.seller)

    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for sale in made_in_period(rows):
        groups[(sale["device"], sale["currency"])].append(sale)
    expected: list[dict[str, Any]] = [
        {
            "device": device,
            "sales": len(sales),
            "revenue": {"amount": str(sum((s["gross_amount"] for s in sales), ZERO)), "currency": currency},
        }
        for (device, currency), sales in groups.items()
    ]
    expected.sort(key=lambda r: (r["revenue"]["currency"], -Decimal(r["revenue"]["amount"]), r["device"]))

    data = await data_of(client, shop.seller.key, DEVICES, {"period": PERIOD})
    assert data["reports"]["revenueByDevice"] == expected
    assert {r["revenue"]["currency"] for r in expected} == {"BRL", "USD", "EUR"}

    only_usd = await data_of(client, shop.seller.key, DEVICES, {"period": PERIOD, "currency": "USD"})
    assert only_usd["reports"]["revenueByDevice"] == [r for r in expected if r["revenue"]["currency"] == "USD"]


async def test_purchase_recovery(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    shop = await arrange_shop(connection, seed=3)
    await arrange_shop(connection, seed=4)
    rows = await raw_rows(connection, shop.seller)

    counted = counted_lost_sales(rows)
    recovering_ids = {row["recovered_sale_id"] for row in counted if row["recovered_sale_id"] is not None}
    recovering = [sale for sale in rows.sales if sale["id"] in recovering_ids]
    recovered = sum(1 for row in counted if row["recovered_sale_id"] is not None)
    expected: dict[str, Any] = {
        "lost": len(counted),
        "recovered": recovered,
        "recoveryRate": rate(recovered, len(counted)),
        "recoveredRevenue": money_list(sums_by_currency(recovering, "gross_amount")),
    }
    assert 0 < expected["recovered"] < expected["lost"]

    data = await data_of(client, shop.seller.key, RECOVERY, {"period": PERIOD})
    assert data["reports"]["purchaseRecovery"] == expected


async def test_purchase_recovery_by_hand(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    """Three attempts of one buyer count once (the last); an earlier attempt's link does not count."""
    seller = await make_seller(connection, time_zone=ZONE_NAME)
    other_buyer = await make_buyer(connection, seller.id)
    third_buyer = await make_buyer(connection, seller.id)
    day = datetime(2024, 3, 10, 12, tzinfo=ZONE)
    early_recovery = await make_sale(connection, seller, fees="0.00", created_at=day, gross="500.00")
    await make_lost_sale(connection, seller, created_at=day - timedelta(days=2), recovered_sale_id=early_recovery)
    await make_lost_sale(connection, seller, created_at=day + timedelta(days=1))  # the last: not recovered
    recovery = await make_sale(
        connection,
        seller,
        fees="0.00",
        created_at=day + timedelta(days=40),
        currency="USD",
        gross="42.50",
        buyer_id=other_buyer,
    )
    await make_lost_sale(connection, seller, created_at=day, buyer_id=other_buyer, recovered_sale_id=recovery)
    # last attempt after the period: not counted in March
    await make_lost_sale(connection, seller, created_at=datetime(2024, 4, 1, tzinfo=ZONE), buyer_id=third_buyer)

    data = await data_of(client, seller.key, RECOVERY, {"period": PERIOD})
    assert data["reports"]["purchaseRecovery"] == {
        "lost": 2,
        "recovered": 1,
        "recoveryRate": "50.00",
        "recoveredRevenue": [{"amount": "42.50", "currency": "USD"}],
    }


async def test_product_revenue(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    shop = await arrange_shop(connection, seed=5)
    await arrange_shop(connection, seed=6)
    rows = await raw_rows(connection, shop.seller)

    totals: dict[tuple[int, str], list[Any]] = defaultdict(lambda: [0, ZERO, ZERO, 0])
    for sale in made_in_period(rows):
        entry = totals[(sale["product_id"], sale["currency"])]
        entry[0] += 1
        entry[1] += sale["gross_amount"]
        entry[2] += sale["gross_amount"] - sale["fees"] - sale["taxes"] - sale["affiliate_commission"]
    sales_by_id = {sale["id"]: sale for sale in rows.sales}
    for refund in rows.refunds:
        if refund["status"] in ("APPROVED", "COMPLETED") and in_period(refund["requested_at"]):
            sale = sales_by_id[refund["sale_id"]]
            totals[(sale["product_id"], sale["currency"])][3] += 1
    ordered = sorted(totals.items(), key=lambda item: (-item[1][1], item[0][1], item[0][0]))
    names = {
        row["id"]: row["name"]
        for row in await connection.fetch("select id, name from products where producer_id = $1", shop.seller.id)
    }
    expected = [
        {
            "product": {"id": to_global_id("Product", pid), "name": names[pid]},
            "sales": count,
            "grossRevenue": {"amount": str(gross), "currency": currency},
            "netRevenue": {"amount": str(net), "currency": currency},
            "refunds": refunds,
        }
        for (pid, currency), (count, gross, net, refunds) in ordered
    ]
    assert sum(row["refunds"] for row in expected) > 0

    data = await data_of(client, shop.seller.key, PRODUCTS, {"period": PERIOD})
    assert data["reports"]["productRevenue"] == expected

    only_eur = await data_of(client, shop.seller.key, PRODUCTS, {"period": PERIOD, "currency": "EUR"})
    assert only_eur["reports"]["productRevenue"] == [r for r in expected if r["grossRevenue"]["currency"] == "EUR"]


async def test_product_revenue_counts_granted_refunds_of_refunded_sales(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection, time_zone=ZONE_NAME)
    february = datetime(2024, 2, 10, tzinfo=ZONE)
    refunded = await make_sale(connection, seller, fees="0.00", created_at=february, status="REFUNDED")
    await make_refund(connection, seller, sale_id=refunded, requested_at=datetime(2024, 3, 5, tzinfo=ZONE))
    denied = await make_sale(
        connection, seller, created_at=datetime(2024, 3, 6, tzinfo=ZONE), gross="80.00", fees="9.90"
    )
    await make_refund(
        connection, seller, sale_id=denied, requested_at=datetime(2024, 3, 7, tzinfo=ZONE), status="DENIED"
    )

    name = await connection.fetchval("select name from products where id = $1", seller.product_id)
    data = await data_of(client, seller.key, PRODUCTS, {"period": PERIOD})
    assert data["reports"]["productRevenue"] == [
        {
            "product": {"id": to_global_id("Product", seller.product_id), "name": name},
            "sales": 1,
            "grossRevenue": {"amount": "80.00", "currency": "BRL"},
            "netRevenue": {"amount": "70.10", "currency": "BRL"},
            "refunds": 1,
        }
    ]


async def test_promoted_products(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    shop = await arrange_shop(connection, seed=7)
    await arrange_shop(connection, seed=8)
    rows = await raw_rows(connection, shop.seller)

    by_product: dict[int, list[Any]] = defaultdict(list)
    for sale in made_in_period(rows):
        if sale["affiliate_id"] is not None:
            by_product[sale["product_id"]].append(sale)
    expected = [
        {
            "product": {"id": to_global_id("Product", pid)},
            "affiliates": len({s["affiliate_id"] for s in sales}),
            "sales": len(sales),
            "revenue": money_list(sums_by_currency(sales, "gross_amount")),
            "commission": money_list(sums_by_currency(sales, "affiliate_commission")),
        }
        for pid, sales in sorted(by_product.items(), key=lambda item: (-len(item[1]), item[0]))
    ]
    assert len(expected) == 3

    data = await data_of(client, shop.seller.key, PROMOTED, {"period": PERIOD})
    assert data["reports"]["promotedProducts"] == expected


def expected_points(
    rows: Rows, first: date, last: date, bucket: str, zone: ZoneInfo, currency: str | None = None
) -> list[dict[str, Any]]:
    """Day by day: each local day belongs to the bucket starting on its day, Monday or 1st."""

    def start_of(day: date) -> date:
        if bucket == "DAY":
            return day
        if bucket == "WEEK":
            return day - timedelta(days=day.isocalendar().weekday - 1)
        return date(day.year, day.month, 1)

    made = [s for s in made_in_period(rows, first, last, zone) if currency in (None, s["currency"])]
    currencies = sorted({s["currency"] for s in made})
    starts = sorted({start_of(first + timedelta(days=n)) for n in range((last - first).days + 1)})
    points = []
    for start in starts:
        for code in currencies:
            sales = [s for s in made if s["currency"] == code and start_of(local_day(s["created_at"], zone)) == start]
            points.append(
                {
                    "start": str(start),
                    "sales": len(sales),
                    "grossRevenue": {"amount": str(sum((s["gross_amount"] for s in sales), ZERO)), "currency": code},
                }
            )
    return points


@pytest.mark.parametrize("bucket", ["DAY", "WEEK", "MONTH"])
async def test_revenue_over_time(client: httpx.AsyncClient, connection: asyncpg.Connection, bucket: str) -> None:
    shop = await arrange_shop(connection, seed=9)
    await arrange_shop(connection, seed=10)
    rows = await raw_rows(connection, shop.seller)
    # from a Wednesday to a Tuesday across a month: partial first and last weeks and months
    first, last = date(2024, 2, 28), date(2024, 3, 12)
    period = {"from": str(first), "to": str(last)}

    expected = expected_points(rows, first, last, bucket, ZONE)
    data = await data_of(client, shop.seller.key, OVER_TIME, {"period": period, "bucket": bucket})
    assert data["reports"]["revenueOverTime"] == expected
    assert any(point["sales"] == 0 for point in expected) or bucket != "DAY"
    assert len({point["grossRevenue"]["currency"] for point in expected}) == 3

    only_brl = await data_of(
        client, shop.seller.key, OVER_TIME, {"period": period, "bucket": bucket, "currency": "BRL"}
    )
    assert only_brl["reports"]["revenueOverTime"] == expected_points(rows, first, last, bucket, ZONE, "BRL")


async def test_day_buckets_follow_the_producer_midnight(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    """Sao Paulo (UTC-3 all year since 2019): a sale at 02:30 UTC on the 2nd is on the 1st."""
    seller = await make_seller(connection, time_zone=ZONE_NAME)
    await make_sale(connection, seller, fees="0.00", created_at=datetime(2024, 3, 2, 2, 30, tzinfo=UTC), gross="10.00")
    await make_sale(connection, seller, fees="0.00", created_at=datetime(2024, 3, 2, 3, 0, tzinfo=UTC), gross="20.00")
    await make_sale(
        connection, seller, fees="0.00", created_at=datetime(2024, 3, 3, 12, tzinfo=UTC), gross="5.00", currency="EUR"
    )
    period = {"from": "2024-03-01", "to": "2024-03-03"}

    data = await data_of(client, seller.key, OVER_TIME, {"period": period, "bucket": "DAY"})
    assert data["reports"]["revenueOverTime"] == [
        {"start": "2024-03-01", "sales": 1, "grossRevenue": {"amount": "10.00", "currency": "BRL"}},
        {"start": "2024-03-01", "sales": 0, "grossRevenue": {"amount": "0.00", "currency": "EUR"}},
        {"start": "2024-03-02", "sales": 1, "grossRevenue": {"amount": "20.00", "currency": "BRL"}},
        {"start": "2024-03-02", "sales": 0, "grossRevenue": {"amount": "0.00", "currency": "EUR"}},
        {"start": "2024-03-03", "sales": 0, "grossRevenue": {"amount": "0.00", "currency": "BRL"}},
        {"start": "2024-03-03", "sales": 1, "grossRevenue": {"amount": "5.00", "currency": "EUR"}},
    ]


async def test_day_buckets_across_a_dst_change(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    """New York moves to UTC-4 on 2024-03-10: the 10th is 23 hours long and the 11th starts at 04:00 UTC."""
    seller = await make_seller(connection, time_zone="America/New_York")
    zone = ZoneInfo("America/New_York")
    await make_sale(connection, seller, fees="0.00", created_at=datetime(2024, 3, 10, 4, 59, tzinfo=UTC), gross="1.00")
    await make_sale(connection, seller, fees="0.00", created_at=datetime(2024, 3, 10, 5, 0, tzinfo=UTC), gross="2.00")
    await make_sale(connection, seller, fees="0.00", created_at=datetime(2024, 3, 11, 3, 59, tzinfo=UTC), gross="4.00")
    await make_sale(connection, seller, fees="0.00", created_at=datetime(2024, 3, 11, 4, 0, tzinfo=UTC), gross="8.00")
    period = {"from": "2024-03-10", "to": "2024-03-11"}

    data = await data_of(client, seller.key, OVER_TIME, {"period": period, "bucket": "DAY"})
    assert data["reports"]["revenueOverTime"] == [
        {"start": "2024-03-10", "sales": 2, "grossRevenue": {"amount": "6.00", "currency": "BRL"}},
        {"start": "2024-03-11", "sales": 1, "grossRevenue": {"amount": "8.00", "currency": "BRL"}},
    ]
    rows = await raw_rows(connection, seller)
    assert data["reports"]["revenueOverTime"] == expected_points(
        rows, date(2024, 3, 10), date(2024, 3, 11), "DAY", zone
    )


async def test_traffic_sources(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    shop = await arrange_shop(connection, seed=11)
    await arrange_shop(connection, seed=12)
    rows = await raw_rows(connection, shop.seller)

    def source_of(row: Any) -> str:
        return str(row["source"]) if row["source"] else "(direct)"

    made: dict[str, list[Any]] = defaultdict(list)
    for sale in made_in_period(rows):
        made[source_of(sale)].append(sale)
    lost: dict[str, int] = defaultdict(int)
    for row in counted_lost_sales(rows):
        lost[source_of(row)] += 1
    expected: list[dict[str, Any]] = [
        {
            "source": source,
            "sales": len(made[source]),
            "lostSales": lost[source],
            "conversionRate": rate(len(made[source]), len(made[source]) + lost[source]),
            "revenue": money_list(sums_by_currency(made[source], "gross_amount")),
        }
        for source in set(made) | set(lost)
    ]
    expected.sort(key=lambda r: (-r["sales"], -r["lostSales"], r["source"].encode()))
    assert {r["source"] for r in expected} == {"google", "instagram", "newsletter", "(direct)"}

    data = await data_of(client, shop.seller.key, SOURCES, {"period": PERIOD})
    assert data["reports"]["trafficSources"] == expected


async def test_traffic_source_with_lost_sales_only(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection, time_zone=ZONE_NAME)
    day = datetime(2024, 3, 15, tzinfo=ZONE)
    await make_sale(connection, seller, fees="0.00", created_at=day, source="ads", gross="30.00")
    await make_sale(connection, seller, fees="0.00", created_at=day, source="ads", gross="7.00", currency="USD")
    await make_lost_sale(connection, seller, created_at=day, source="ads")
    other = await make_buyer(connection, seller.id)
    await make_lost_sale(connection, seller, created_at=day, source="tiktok", buyer_id=other)

    data = await data_of(client, seller.key, SOURCES, {"period": PERIOD})
    assert data["reports"]["trafficSources"] == [
        {
            "source": "ads",
            "sales": 2,
            "lostSales": 1,
            "conversionRate": "66.67",
            "revenue": [{"amount": "30.00", "currency": "BRL"}, {"amount": "7.00", "currency": "USD"}],
        },
        {"source": "tiktok", "sales": 0, "lostSales": 1, "conversionRate": "0.00", "revenue": []},
    ]


# ---- empty sellers, tenancy, bad input -----------------------------------------------------------


async def test_an_empty_seller_gets_empty_reports(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    await arrange_shop(connection, seed=13)  # someone else sells in the same period
    empty = await make_seller(connection, time_zone=ZONE_NAME)

    data = await data_of(client, empty.key, EVERY_REPORT, {"period": PERIOD})
    assert data["reports"] == {
        "paymentMethods": [],
        "revenueByDevice": [],
        "purchaseRecovery": {"lost": 0, "recovered": 0, "recoveryRate": "0.00", "recoveredRevenue": []},
        "productRevenue": [],
        "promotedProducts": [],
        "day": [],
        "month": [],
        "trafficSources": [],
    }


async def test_another_sellers_rows_never_appear(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    mine = await make_seller(connection, time_zone=ZONE_NAME)
    theirs = await arrange_shop(connection, seed=14)
    # a sale of mine, to make every per-product report non-empty
    affiliate = await make_affiliate(connection, mine.id)
    await make_sale(
        connection,
        mine,
        fees="0.00",
        created_at=datetime(2024, 3, 20, tzinfo=ZONE),
        affiliate_id=affiliate,
        commission="10.00",
        source="mine",
    )
    query = """
    query ($period: DateRangeInput!) {
      reports {
        productRevenue(period: $period) { product { id } sales }
        promotedProducts(period: $period) { product { id } affiliates sales }
        trafficSources(period: $period) { source sales lostSales }
        purchaseRecovery(period: $period) { lost }
      }
    }
    """
    data = (await data_of(client, mine.key, query, {"period": PERIOD}))["reports"]
    my_product = {"id": to_global_id("Product", mine.product_id)}
    assert data["productRevenue"] == [{"product": my_product, "sales": 1}]
    assert data["promotedProducts"] == [{"product": my_product, "affiliates": 1, "sales": 1}]
    assert data["trafficSources"] == [{"source": "mine", "sales": 1, "lostSales": 0}]
    assert data["purchaseRecovery"] == {"lost": 0}
    assert theirs.seller.id != mine.id


@pytest.mark.parametrize(
    "field",
    [
        "paymentMethods(period: $period) { sales }",
        "revenueByDevice(period: $period) { sales }",
        "purchaseRecovery(period: $period) { lost }",
        "productRevenue(period: $period) { sales }",
        "promotedProducts(period: $period) { sales }",
        "revenueOverTime(period: $period, bucket: WEEK) { sales }",
        "trafficSources(period: $period) { sales }",
    ],
)
@pytest.mark.parametrize(
    "period", [{"from": "2024-03-02", "to": "2024-03-01"}, {"from": "2000-01-01", "to": "2024-03-01"}]
)
async def test_bad_periods_are_bad_user_input(
    client: httpx.AsyncClient, connection: asyncpg.Connection, field: str, period: dict[str, str]
) -> None:
    seller = await make_seller(connection)
    query = f"query ($period: DateRangeInput!) {{ reports {{ {field} }} }}"
    response = await post(client, seller.key, query, {"period": period})
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "period" in body["errors"][0]["message"]
