"""The floor: a plain Starlette + asyncpg endpoint that answers Q1-Q6 with no GraphQL at all.

It does what the gateway must do for these documents and nothing else: the same key lookup
(`loaders.api_keys.find_principal`), the same tenant transaction (`loaders.database.TenantDatabase`, which sets
`app.producer_id`), the same SQL text (the page functions and loaders' `batch_load_fn` of `loaders/`, one
batch per loader and level, as the DataLoaders make them), and the same JSON, written with orjson. The
operation is picked by `operationName`; the document is not parsed. What the gateway spends above this is
the price of GraphQL execution.

    uvicorn --factory bench.floor:app_from_env     # DATABASE_URL, DB_POOL_MIN_SIZE, DB_POOL_MAX_SIZE
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.http.auth import bearer_token
from gateway.operations.database import open_pool
from gateway.operations.settings import Settings
from loaders import reports
from loaders.affiliations import AFFILIATIONS
from loaders.api_keys import find_principal
from loaders.catalog import AffiliateByIdLoader, BuyerByIdLoader, ProductByIdLoader, ProductRow
from loaders.database import TenantDatabase
from loaders.finance.ledger import balances
from loaders.keyset import Page, PageRequest
from loaders.lost_sales import LOST_SALES, LostSaleByRecoveringSaleLoader
from loaders.overview import card_by_currency
from loaders.periods import Period
from loaders.producers import ProducerByIdLoader, ProducerRow
from loaders.refunds import REFUNDS, RefundsBySaleLoader
from loaders.sales import SALES, SaleByIdLoader, SaleRow
from loaders.subscriptions import CHARGES, SUBSCRIPTIONS, ChargesLoader

JSON = Any
Handler = Callable[[TenantDatabase, dict[str, Any]], Awaitable[JSON]]
NEWEST_SALES = SALES.default_order


def _first(limit: int, keyset_list: Any) -> PageRequest:
    """The first page of a list in its default order, as the gateway asks for it."""
    return PageRequest(limit=limit, order=keyset_list.default_order)


# ---- what the schema does to values (schema/ids.py, resolvers/pagination.py, resolvers/periods.py) --------


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def cursor(order_name: str, value: Any, pk: int) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return base64.urlsafe_b64encode(orjson.dumps([order_name, text, pk])).decode()


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"amount": str(amount), "currency": currency}


def instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def zone_of(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def bounds(first_day: date, last_day: date, time_zone: str) -> tuple[datetime, datetime]:
    zone = zone_of(time_zone)
    return (
        datetime.combine(first_day, time.min, tzinfo=zone),
        datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone),
    )


def days(variables: dict[str, Any]) -> tuple[date, date]:
    period = variables["period"]
    return date.fromisoformat(period["from"]), date.fromisoformat(period["to"])


def unique(values: Iterable[int | None]) -> list[int]:
    """Keys in first-use order, once each, without None: what a DataLoader batches."""
    return [value for value in dict.fromkeys(values) if value is not None]


async def by_id(loader: Any, keys: list[int]) -> dict[int, Any]:
    if not keys:
        return {}
    return dict(zip(keys, await loader.batch_load_fn(keys), strict=True))


def _rows(page: Page[SaleRow] | None) -> list[SaleRow]:
    return page.rows if page is not None else []


async def viewer_row(db: TenantDatabase) -> ProducerRow:
    (row,) = await ProducerByIdLoader(db).batch_load_fn([db.producer_id])
    assert row is not None
    return row


def product_json(row: ProductRow, *fields: str) -> dict[str, Any]:
    values = {"id": gid("Product", row.id), "name": row.name, "kind": row.kind}
    return {field: money(row.price, row.currency) if field == "price" else values[field] for field in fields}


def person(type_name: str, row: Any, *fields: str) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"id": gid(type_name, row.id), **{field: getattr(row, field) for field in fields}}


def sale_money(row: SaleRow, *fields: str) -> dict[str, Any]:
    names = {
        "grossAmount": "gross_amount",
        "fees": "fees",
        "taxes": "taxes",
        "affiliateCommission": "affiliate_commission",
        "netAmount": "net_amount",
    }
    return {field: money(getattr(row, names[field]), row.currency) for field in fields}


# ---- Q1-Q6 ----------------------------------------------------------------------------------------------


async def viewer(db: TenantDatabase, variables: dict[str, Any]) -> JSON:
    row = await viewer_row(db)
    return {
        "viewer": {
            "id": gid("Producer", row.id),
            "name": row.name,
            "email": row.email,
            "timeZone": row.time_zone,
            "defaultCurrency": row.default_currency,
        }
    }


async def card(db: TenantDatabase, variables: dict[str, Any]) -> JSON:
    first_day, last_day = days(variables)
    producer = await viewer_row(db)
    start, end = bounds(first_day, last_day, producer.time_zone)
    sales, lost = await card_by_currency(db, start, end, None)
    held = await balances(db)
    return {
        "salesManagement": {
            "period": {"from": first_day.isoformat(), "to": last_day.isoformat()},
            "sales": [
                {
                    "currency": row.currency,
                    "count": row.count,
                    "grossRevenue": money(row.gross_revenue, row.currency),
                    "netRevenue": money(row.net_revenue, row.currency),
                }
                for row in sales
            ],
            "lostSales": {
                "count": sum(row.count for row in lost),
                "recoveredCount": sum(row.recovered_count for row in lost),
                "potentialRevenue": [
                    money(row.potential_revenue, row.currency) for row in lost if row.potential_revenue
                ],
            },
        },
        "balances": [
            {
                "currency": row.currency,
                "available": money(row.available, row.currency),
                "pending": money(row.pending, row.currency),
                "blocked": money(row.blocked, row.currency),
                "total": money(row.total, row.currency),
            }
            for row in held
        ],
    }


async def sales_page_q3(db: TenantDatabase, variables: dict[str, Any]) -> JSON:
    page = await SALES.page(db, {}, PageRequest(limit=50, order=NEWEST_SALES))
    rows = page.rows
    products = await by_id(ProductByIdLoader(db), unique(row.product_id for row in rows))
    buyers = await by_id(BuyerByIdLoader(db), unique(row.buyer_id for row in rows))
    affiliates = await by_id(AffiliateByIdLoader(db), unique(row.affiliate_id for row in rows))
    return {
        "sales": {
            "pageInfo": {
                "hasNextPage": page.has_next_page,
                "endCursor": cursor("sales:created_at:desc", rows[-1].created_at, rows[-1].id) if rows else None,
            },
            "nodes": [
                {
                    "id": gid("Sale", row.id),
                    "transactionCode": row.transaction_code,
                    "status": row.status,
                    "createdAt": instant(row.created_at),
                    **sale_money(row, "grossAmount", "fees", "taxes", "affiliateCommission", "netAmount"),
                    "product": product_json(products[row.product_id], "id", "name", "kind", "price"),
                    "buyer": person("Buyer", buyers[row.buyer_id], "name", "email"),
                    "affiliate": person("Affiliate", affiliates.get(row.affiliate_id or 0), "name", "email"),
                }
                for row in rows
            ],
        }
    }


async def dashboard(db: TenantDatabase, variables: dict[str, Any]) -> JSON:
    ten = PageRequest(limit=10, order=NEWEST_SALES)
    producer = await viewer_row(db)
    sales = (await SALES.page(db, {}, ten)).rows
    refunds = (await REFUNDS.page(db, {}, _first(10, REFUNDS))).rows
    lost = (await LOST_SALES.page(db, {}, _first(10, LOST_SALES))).rows
    subscriptions = (await SUBSCRIPTIONS.page(db, {}, _first(10, SUBSCRIPTIONS))).rows
    affiliations = (await AFFILIATIONS.page(db, {}, _first(10, AFFILIATIONS))).rows

    refunds_of = await by_id(RefundsBySaleLoader(db), unique(row.id for row in sales))
    refunded_sales = await by_id(SaleByIdLoader(db), unique(row.sale_id for row in refunds))
    product_loader = ProductByIdLoader(db)
    products = await by_id(
        product_loader,
        unique(
            [row.product_id for row in sales]
            + [row.product_id for row in lost]
            + [row.product_id for row in subscriptions]
            + [row.product_id for row in affiliations]
        ),
    )
    buyers = await by_id(
        BuyerByIdLoader(db),
        unique(
            [row.buyer_id for row in sales] + [row.buyer_id for row in lost] + [row.buyer_id for row in subscriptions]
        ),
    )
    affiliates = await by_id(AffiliateByIdLoader(db), unique(row.affiliate_id for row in affiliations))
    three = _first(3, CHARGES)
    charge_keys = [(row.id, three) for row in subscriptions]
    charges = (
        dict(zip(charge_keys, await ChargesLoader(db).batch_load_fn(charge_keys), strict=True)) if charge_keys else {}
    )
    missing = unique(row.product_id for row in refunded_sales.values() if row.product_id not in products)
    products.update(await by_id(product_loader, missing))

    def named(product_id: int) -> dict[str, Any]:
        return product_json(products[product_id], "id", "name")

    return {
        "viewer": {
            "name": producer.name,
            "timeZone": producer.time_zone,
            "defaultCurrency": producer.default_currency,
        },
        "sales": {
            "nodes": [
                {
                    "id": gid("Sale", row.id),
                    "transactionCode": row.transaction_code,
                    "status": row.status,
                    "createdAt": instant(row.created_at),
                    **sale_money(row, "grossAmount"),
                    "product": named(row.product_id),
                    "buyer": person("Buyer", buyers[row.buyer_id], "name", "email"),
                    "refunds": [
                        {
                            "id": gid("Refund", refund.id),
                            "status": refund.status,
                            "requestedAt": instant(refund.requested_at),
                            "amount": money(refund.amount, refund.currency),
                        }
                        for refund in refunds_of[row.id] or []
                    ],
                }
                for row in sales
            ]
        },
        "refunds": {
            "nodes": [
                {
                    "id": gid("Refund", row.id),
                    "status": row.status,
                    "reason": row.reason,
                    "requestedAt": instant(row.requested_at),
                    "amount": money(row.amount, row.currency),
                    "sale": {
                        "id": gid("Sale", row.sale_id),
                        "transactionCode": refunded_sales[row.sale_id].transaction_code,
                        "product": named(refunded_sales[row.sale_id].product_id),
                    },
                }
                for row in refunds
            ]
        },
        "lostSales": {
            "nodes": [
                {
                    "id": gid("LostSale", row.id),
                    "reason": row.reason,
                    "createdAt": instant(row.created_at),
                    "potentialRevenue": money(row.amount, row.currency),
                    "product": named(row.product_id),
                    "buyer": person("Buyer", buyers[row.buyer_id], "name", "email"),
                }
                for row in lost
            ]
        },
        "subscriptions": {
            "nodes": [
                {
                    "id": gid("Subscription", row.id),
                    "planName": row.plan_name,
                    "status": row.status,
                    "startedAt": instant(row.started_at),
                    "price": money(row.price, row.currency),
                    "subscriber": person("Buyer", buyers[row.buyer_id], "name", "email"),
                    "product": named(row.product_id),
                    "charges": {
                        "nodes": [
                            {
                                "id": gid("Sale", charge.id),
                                "transactionCode": charge.transaction_code,
                                "status": charge.status,
                                "createdAt": instant(charge.created_at),
                                **sale_money(charge, "grossAmount"),
                            }
                            for charge in _rows(charges[(row.id, three)])
                        ]
                    },
                }
                for row in subscriptions
            ]
        },
        "affiliations": {
            "nodes": [
                {
                    "id": gid("Affiliation", row.id),
                    "status": row.status,
                    "commissionRate": str(row.commission_rate),
                    "appliedAt": instant(row.applied_at),
                    "affiliate": person("Affiliate", affiliates[row.affiliate_id], "name", "email"),
                    "product": named(row.product_id),
                }
                for row in affiliations
            ]
        },
    }


async def sales_scalars(db: TenantDatabase, variables: dict[str, Any]) -> JSON:
    rows = (await SALES.page(db, {}, PageRequest(limit=100, order=NEWEST_SALES))).rows
    recovered = await by_id(LostSaleByRecoveringSaleLoader(db), unique(row.id for row in rows))
    return {
        "sales": {
            "nodes": [
                {
                    "id": gid("Sale", row.id),
                    "transactionCode": row.transaction_code,
                    "status": row.status,
                    "offerCode": row.offer_code,
                    "paymentMethod": row.payment_method,
                    "installments": row.installments,
                    "device": row.device,
                    "source": row.source,
                    "recovered": recovered[row.id] is not None,
                    **sale_money(row, "grossAmount", "fees", "taxes", "affiliateCommission", "netAmount"),
                    "createdAt": instant(row.created_at),
                    "approvedAt": instant(row.approved_at),
                }
                for row in rows
            ]
        }
    }


def week_buckets(first_day: date, last_day: date) -> tuple[list[date], list[date]]:
    """resolvers/reports.py time_buckets, for WEEK: each bucket's name and first counted day."""
    names: list[date] = []
    first_days: list[date] = []
    day = first_day - timedelta(days=first_day.weekday())
    while day <= last_day:
        names.append(day)
        first_days.append(max(day, first_day))
        day += timedelta(days=7)
    return names, first_days


async def report_page(db: TenantDatabase, variables: dict[str, Any]) -> JSON:
    first_day, last_day = days(variables)
    producer = await viewer_row(db)
    period = Period(first_day, last_day, *bounds(first_day, last_day, producer.time_zone))
    methods = await reports.payment_methods(db, period, None)
    devices = await reports.revenue_by_device(db, period, None)
    recovery = await reports.purchase_recovery(db, period)
    product_rows = await reports.product_revenue(db, period, None)
    promoted_rows = await reports.promoted_products(db, period)
    names, first_days = week_buckets(first_day, last_day)
    points = await reports.revenue_over_time(db, period, names, first_days, None)
    source_rows = await reports.traffic_sources(db, period)
    products = await by_id(
        ProductByIdLoader(db),
        unique([row.product_id for row in product_rows] + [row.product_id for row in promoted_rows]),
    )

    promoted: dict[int, dict[str, Any]] = {}
    for row in promoted_rows:
        entry = promoted.get(row.product_id)
        if entry is None:
            entry = promoted[row.product_id] = {
                "product": product_json(products[row.product_id], "id", "name"),
                "affiliates": row.affiliates,
                "sales": 0,
                "revenue": [],
                "commission": [],
            }
        entry["sales"] += row.sales
        entry["revenue"].append(money(row.revenue, row.currency))
        entry["commission"].append(money(row.commission, row.currency))
    sources: dict[str, dict[str, Any]] = {}
    for source_row in source_rows:
        source = sources.get(source_row.source)
        if source is None:
            source = sources[source_row.source] = {
                "source": source_row.source,
                "sales": source_row.sales,
                "lostSales": source_row.lost_sales,
                "conversionRate": str(source_row.conversion_rate),
                "revenue": [],
            }
        if source_row.currency is not None and source_row.revenue is not None:
            source["revenue"].append(money(source_row.revenue, source_row.currency))
    return {
        "reports": {
            "paymentMethods": [
                {
                    "paymentMethod": row.payment_method,
                    "sales": row.sales,
                    "revenue": money(row.revenue, row.currency),
                    "share": str(row.share),
                }
                for row in methods
            ],
            "revenueByDevice": [
                {"device": row.device, "sales": row.sales, "revenue": money(row.revenue, row.currency)}
                for row in devices
            ],
            "purchaseRecovery": {
                "lost": recovery.lost,
                "recovered": recovery.recovered,
                "recoveryRate": str(recovery.recovery_rate),
                "recoveredRevenue": [money(amount, currency) for currency, amount in recovery.recovered_revenue],
            },
            "productRevenue": [
                {
                    "product": product_json(products[row.product_id], "id", "name"),
                    "sales": row.sales,
                    "grossRevenue": money(row.gross_revenue, row.currency),
                    "netRevenue": money(row.net_revenue, row.currency),
                    "refunds": row.refunds,
                }
                for row in product_rows
            ],
            "promotedProducts": list(promoted.values()),
            "revenueOverTime": [
                {
                    "start": row.start.isoformat(),
                    "sales": row.sales,
                    "grossRevenue": money(row.gross_revenue, row.currency),
                }
                for row in points
            ],
            "trafficSources": list(sources.values()),
        }
    }


HANDLERS: dict[str, Handler] = {
    "Viewer": viewer,
    "Card": card,
    "SalesPage": sales_page_q3,
    "Dashboard": dashboard,
    "SalesScalars": sales_scalars,
    "Reports": report_page,
}


# ---- HTTP -------------------------------------------------------------------------------------------------


def _error(status: int, message: str, code: str) -> Response:
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}], "data": None})
    return Response(body, status_code=status, media_type="application/json")


async def graphql(request: Request) -> Response:
    pool: asyncpg.Pool = request.app.state.pool
    try:
        payload = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return _error(400, "The body is not valid JSON", "BAD_USER_INPUT")
    handler = HANDLERS.get(payload.get("operationName") or "") if isinstance(payload, dict) else None
    if handler is None:
        return _error(400, f"The floor answers only {', '.join(HANDLERS)} (by operationName)", "BAD_USER_INPUT")
    token = bearer_token(request.headers.get("authorization"))
    principal = await find_principal(pool, token) if token else None
    if principal is None:
        return _error(401, "A valid API key is required: `Authorization: Bearer <key>`", "UNAUTHENTICATED")
    db = TenantDatabase(pool, principal.producer_id)
    try:
        data = await handler(db, payload.get("variables") or {})
    finally:
        await db.close()
    return Response(
        orjson.dumps({"data": data}),
        media_type="application/json",
        headers={"x-sql-statements": str(db.statements)},
    )


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


def app_from_env() -> Starlette:
    settings = Settings.from_env()
    if settings.database_url is None:
        raise RuntimeError("DATABASE_URL is required")
    database_url = settings.database_url

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_pool(database_url, settings) as pool:
            app.state.pool = pool
            yield

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz, methods=["GET"])],
        lifespan=lifespan,
    )
