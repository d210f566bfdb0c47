"""Answers corrected after the audit of every section against its rows: each test is named for what was wrong."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import httpx

from tests.e2e.test_mutations import DENY, PREPAY, WITHDRAW, _affiliation, _sale_with_refund
from tests.factories.catalog import make_affiliate
from tests.factories.finance import make_funded_seller
from tests.factories.producers import make_seller
from tests.factories.sales import make_sale
from tests.factories.subscriptions import make_subscription
from tests.graphql import post


def gid(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


async def test_a_denied_refund_shows_why(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_funded_seller(connection)
    _, refund = await _sale_with_refund(connection, seller, refund="10.00")
    await post(client, seller.key, DENY, {"id": gid("Refund", refund), "reason": "Course fully watched"})
    query = "query ($id: ID!) { node(id: $id) { ... on Refund { status reason denialReason } } }"
    node = (await post(client, seller.key, query, {"id": gid("Refund", refund)})).json()["data"]["node"]
    assert node["status"] == "DENIED"
    assert node["denialReason"] == "Course fully watched"


async def test_an_idempotency_key_is_one_per_producer_across_operations(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    asked = {"input": {"amount": "10.00", "currency": "BRL", "idempotencyKey": "shared-key"}}
    first = (await post(client, seller.key, WITHDRAW, asked)).json()["data"]["requestWithdrawal"]
    assert first["userErrors"] == []
    again = (await post(client, seller.key, PREPAY, asked)).json()["data"]["requestPrepayment"]
    assert [error["code"] for error in again["userErrors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert await connection.fetchval("select count(*) from prepayments where producer_id = $1", seller.id) == 0


async def test_blocking_an_active_affiliation_keeps_when_it_was_decided(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    affiliation = await _affiliation(connection, seller, "ACTIVE")
    decided = datetime(2025, 3, 1, 12, tzinfo=UTC)
    await connection.execute("update affiliations set decided_at = $2 where id = $1", affiliation, decided)
    block = "mutation ($id: ID!) { blockAffiliation(id: $id) { affiliation { status decidedAt } userErrors { code } } }"
    payload = (await post(client, seller.key, block, {"id": gid("Affiliation", affiliation)})).json()["data"]
    assert payload["blockAffiliation"]["affiliation"]["status"] == "BLOCKED"
    assert datetime.fromisoformat(payload["blockAffiliation"]["affiliation"]["decidedAt"]) == decided


async def test_deciding_a_sent_receipt_says_it_was_sent(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    affiliate = await make_affiliate(connection, seller.id)
    receipt = await connection.fetchval(
        "insert into receipts (producer_id, number, direction, affiliate_id, amount, currency, status, period_from,"
        " period_to, issued_at) values ($1, 'S-1', 'SENT', $2, 10, 'BRL', 'PENDING', '2025-01-01', '2025-01-31',"
        " now()) returning id",
        seller.id,
        affiliate,
    )
    accept = "mutation ($id: ID!) { acceptReceipt(id: $id) { userErrors { code message } } }"
    errors = (await post(client, seller.key, accept, {"id": gid("Receipt", receipt)})).json()["data"]["acceptReceipt"]
    assert errors["userErrors"][0]["code"] == "INVALID_STATE"
    assert "SENT" in errors["userErrors"][0]["message"]
    assert "RECEIVED" in errors["userErrors"][0]["message"]


async def test_an_id_of_another_type_names_the_type_in_plain_words(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    query = "query ($a: ID) { sales(filter: {affiliateId: $a}) { nodes { id } } }"
    body = (await post(client, seller.key, query, {"a": gid("Sale", 1)})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "names no Affiliate" in body["errors"][0]["message"]


async def test_monthly_recurring_revenue_counts_each_plan_by_the_month(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    started = datetime(2025, 1, 15, tzinfo=UTC)
    plans = [("100.00", 1), ("300.00", 3), ("600.00", 6), ("1200.00", 12), ("99.99", 3)]
    for price, months in plans:
        await make_subscription(connection, seller, started_at=started, price=price, billing_months=months)
    query = "{ subscriptionSummary { active monthlyRecurringRevenue { amount currency } } }"
    summary = (await post(client, seller.key, query)).json()["data"]["subscriptionSummary"]
    expected = sum(Decimal(price) / months for price, months in plans).quantize(Decimal("0.01"))
    assert summary["active"] == len(plans)
    assert summary["monthlyRecurringRevenue"] == [{"amount": str(expected), "currency": "BRL"}]


async def test_a_reactivated_subscription_keeps_its_billing_date(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    started = datetime(2025, 1, 31, 10, tzinfo=UTC)
    subscription = await make_subscription(
        connection, seller, started_at=started, status="CANCELLED_BY_SELLER", billing_months=3
    )
    reactivate = "mutation ($id: ID!) { reactivateSubscription(id: $id) { subscription { status nextChargeAt } userErrors { code } } }"
    payload = (await post(client, seller.key, reactivate, {"id": gid("Subscription", subscription)})).json()["data"]
    next_charge = datetime.fromisoformat(payload["reactivateSubscription"]["subscription"]["nextChargeAt"])
    now = await connection.fetchval("select now()")
    due = [
        await connection.fetchval("select $1::timestamptz + make_interval(months => $2)", started, 3 * n)
        for n in range(1, 40)
    ]
    assert next_charge == min(moment for moment in due if moment > now)


async def test_a_reactivation_keeps_the_cancellation_in_the_history_and_in_the_summary(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    started = datetime.now(UTC) - timedelta(days=40)
    subscription = await make_subscription(connection, seller, started_at=started, status="ACTIVE")
    subscription_id = {"id": gid("Subscription", subscription)}
    cancel = 'mutation ($id: ID!) { cancelSubscription(id: $id, reason: "Too expensive") { userErrors { code } } }'
    reactivate = "mutation ($id: ID!) { reactivateSubscription(id: $id) { userErrors { code } } }"
    assert (await post(client, seller.key, cancel, subscription_id)).json()["data"]["cancelSubscription"] == {
        "userErrors": []
    }
    reactivated = (await post(client, seller.key, reactivate, subscription_id)).json()["data"]
    assert reactivated["reactivateSubscription"] == {"userErrors": []}

    query = """query ($id: ID!) {
      subscriptionSummary { active cancelled }
      node(id: $id) { ... on Subscription { status cancelledAt
        statusHistory(first: 10) { totalCount edges { node { status changedAt reason } } } } }
    }"""
    data = (await post(client, seller.key, query, subscription_id)).json()["data"]
    node = data["node"]
    assert node["status"] == "ACTIVE"
    assert node["cancelledAt"] is None  # no current cancellation
    history = [edge["node"] for edge in node["statusHistory"]["edges"]]
    assert [change["status"] for change in history] == ["STARTED", "ACTIVE", "CANCELLED_BY_SELLER", "ACTIVE"]
    assert node["statusHistory"]["totalCount"] == 4
    assert history[2]["reason"] == "Too expensive"
    assert datetime.fromisoformat(history[0]["changedAt"]) == started
    stored = await connection.fetch(
        "select status, changed_at from subscription_status_changes where subscription_id = $1 order by id",
        subscription,
    )
    assert [row["status"] for row in stored] == [change["status"] for change in history]
    # the cancellation happened this month: the summary counts it, and the subscription is active again
    assert data["subscriptionSummary"] == {"active": 1, "cancelled": 1}


async def test_refunding_a_pending_sale_takes_pending_money(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    sale, refund = await _sale_with_refund(connection, seller, refund="10.00")
    release = datetime.now(UTC) + timedelta(days=20)
    await connection.execute(
        "insert into statement_entries (producer_id, kind, currency, amount, description, sale_id, occurred_at,"
        " available_at) values ($1, 'SALE', 'BRL', 90.10, 'Sale', $2, now(), $3)",
        seller.id,
        sale,
        release,
    )
    approve = "mutation ($id: ID!) { approveRefund(id: $id) { userErrors { code } } }"
    assert (await post(client, seller.key, approve, {"id": gid("Refund", refund)})).json()["data"]["approveRefund"] == {
        "userErrors": []
    }
    available_at = await connection.fetchval(
        "select available_at from statement_entries where refund_id = $1 and kind = 'REFUND'", refund
    )
    assert available_at == release


async def test_no_source_and_the_source_direct_are_one_direct_row(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    day = datetime(2026, 3, 10, 12, tzinfo=UTC)
    for source in (None, "", "direct", "Direct", "utm_source=google"):
        await make_sale(connection, seller, created_at=day, source=source)
    query = '{ reports { trafficSources(period: {from: "2026-03-01", to: "2026-03-31"}) { source sales } } }'
    rows = (await post(client, seller.key, query)).json()["data"]["reports"]["trafficSources"]
    assert rows == [{"source": "(direct)", "sales": 4}, {"source": "utm_source=google", "sales": 1}]
