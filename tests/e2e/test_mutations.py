"""Every mutation: allowed and refused transitions with their user error codes, the ledger they write,
and exactly-once behaviour under concurrency."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from tests.factories.affiliations import make_affiliation
from tests.factories.catalog import make_affiliate
from tests.factories.finance import make_funded_seller
from tests.factories.producers import Seller, make_seller
from tests.factories.sales import make_sale
from tests.factories.subscriptions import make_subscription
from tests.graphql import post
from tests.invariants import check_ledger_invariants

NOW = datetime.now(UTC)


def gid(type_name: str, key: int) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


@pytest.fixture(autouse=True)
async def _invariants_hold_after_each_test(connection: asyncpg.Connection) -> AsyncIterator[None]:
    yield
    await check_ledger_invariants(connection)


WITHDRAW = """
mutation ($input: RequestWithdrawalInput!) {
  requestWithdrawal(input: $input) {
    withdrawal { id amount { amount currency } status }
    balance { available { amount } pending { amount } total { amount } }
    userErrors { field message code }
  }
}
"""


async def _withdraw(
    client: httpx.AsyncClient, seller: Seller, amount: Any, key: str, currency: str = "BRL"
) -> dict[str, Any]:
    body = (
        await post(
            client, seller.key, WITHDRAW, {"input": {"amount": amount, "currency": currency, "idempotencyKey": key}}
        )
    ).json()
    assert "errors" not in body, body
    return body["data"]["requestWithdrawal"]  # type: ignore[no-any-return]


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def test_withdrawal_takes_available_money_through_the_ledger(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    payload = await _withdraw(client, seller, "250.50", "w-1")
    assert payload["userErrors"] == []
    assert payload["withdrawal"]["amount"] == {"amount": "250.50", "currency": "BRL"}
    assert payload["withdrawal"]["status"] == "REQUESTED"
    assert payload["balance"] == {
        "available": {"amount": "749.50"},
        "pending": {"amount": "500.00"},
        "total": {"amount": "1249.50"},
    }
    entries = await connection.fetch(
        "select kind, amount from statement_entries where producer_id = $1 and withdrawal_id is not null", seller.id
    )
    assert [(e["kind"], e["amount"]) for e in entries] == [("WITHDRAWAL", Decimal("-250.50"))]
    audit = await connection.fetch(
        "select action, outcome, target_type from audit_log where producer_id = $1", seller.id
    )
    assert [tuple(a) for a in audit] == [("requestWithdrawal", "OK", "Withdrawal")]


@pytest.mark.parametrize(
    ("amount", "currency", "code"),
    [
        ("10.001", "BRL", "INVALID_AMOUNT"),
        ("0", "BRL", "INVALID_AMOUNT"),
        ("0.00", "BRL", "INVALID_AMOUNT"),
        ("-5.00", "BRL", "INVALID_AMOUNT"),
        ("1000000000000.00", "BRL", "INVALID_AMOUNT"),
        ("1000.01", "BRL", "INSUFFICIENT_FUNDS"),
        ("10.00", "EUR", "CURRENCY_MISMATCH"),
        ("50.01", "USD", "INSUFFICIENT_FUNDS"),
    ],
)
async def test_refused_withdrawals_change_nothing(
    client: httpx.AsyncClient, connection: asyncpg.Connection, amount: str, currency: str, code: str
) -> None:
    seller = await make_funded_seller(connection)
    payload = await _withdraw(client, seller, amount, f"refused-{amount}", currency)
    assert _codes(payload) == [code]
    assert payload["withdrawal"] is None
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", seller.id) == 0
    assert (
        await connection.fetchval(
            "select count(*) from statement_entries where producer_id = $1 and kind = 'WITHDRAWAL'", seller.id
        )
        == 0
    )
    assert await connection.fetchval("select outcome from audit_log where producer_id = $1", seller.id) == code


@pytest.mark.parametrize("amount", ["1e400", "NaN", "Infinity", "1,00", "", "12.5.0", 12.5, 10])
async def test_malformed_decimals_are_bad_user_input(
    client: httpx.AsyncClient, connection: asyncpg.Connection, amount: Any
) -> None:
    seller = await make_funded_seller(connection)
    variables = {"input": {"amount": amount, "currency": "BRL", "idempotencyKey": "k"}}
    body = (await post(client, seller.key, WITHDRAW, variables)).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", seller.id) == 0


async def test_idempotency_key_replays_the_first_result_and_refuses_other_input(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    first = await _withdraw(client, seller, "100.00", "same-key")
    again = await _withdraw(client, seller, "100.00", "same-key")
    assert again["withdrawal"] == first["withdrawal"]
    assert again["userErrors"] == []
    other = await _withdraw(client, seller, "100.01", "same-key")
    assert _codes(other) == ["IDEMPOTENCY_KEY_REUSED"]
    other_currency = await _withdraw(client, seller, "10.00", "same-key", "USD")
    assert _codes(other_currency) == ["IDEMPOTENCY_KEY_REUSED"]
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", seller.id) == 1
    # keys are per producer: another seller may use the same one
    other_seller = await make_funded_seller(connection)
    assert (await _withdraw(client, other_seller, "1.00", "same-key"))["userErrors"] == []


@pytest.mark.parametrize(
    ("key", "code"), [("", "INVALID_INPUT"), ("   ", "INVALID_INPUT"), ("k" * 256, "LIMIT_EXCEEDED")]
)
async def test_bad_idempotency_keys(
    client: httpx.AsyncClient, connection: asyncpg.Connection, key: str, code: str
) -> None:
    seller = await make_funded_seller(connection)
    assert _codes(await _withdraw(client, seller, "1.00", key)) == [code]
    assert _codes(await _withdraw(client, seller, "1.00", "k" * 255)) == []


CANCEL = "mutation ($id: ID!) { cancelWithdrawal(id: $id) { withdrawal { status } balance { available { amount } } userErrors { code field } } }"


async def test_cancel_gives_the_money_back_only_while_requested(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    withdrawal_id = (await _withdraw(client, seller, "400.00", "c-1"))["withdrawal"]["id"]
    cancelled = (await post(client, seller.key, CANCEL, {"id": withdrawal_id})).json()["data"]["cancelWithdrawal"]
    assert cancelled["withdrawal"] == {"status": "CANCELLED"}
    assert cancelled["balance"]["available"] == {"amount": "1000.00"}
    again = (await post(client, seller.key, CANCEL, {"id": withdrawal_id})).json()["data"]["cancelWithdrawal"]
    assert _codes(again) == ["INVALID_STATE"]
    await connection.execute(
        "update withdrawals set status = 'PAID', paid_at = now() where producer_id = $1", seller.id
    )
    paid_id = (await _withdraw(client, seller, "1.00", "c-2"))["withdrawal"]["id"]
    await connection.execute(
        "update withdrawals set status = 'PROCESSING' where id = $1", int(base64.b64decode(paid_id).split(b":")[1])
    )
    assert _codes((await post(client, seller.key, CANCEL, {"id": paid_id})).json()["data"]["cancelWithdrawal"]) == [
        "INVALID_STATE"
    ]


async def test_cancelling_another_sellers_withdrawal_is_not_found(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    owner, stranger = await make_funded_seller(connection), await make_funded_seller(connection)
    withdrawal_id = (await _withdraw(client, owner, "10.00", "x-1"))["withdrawal"]["id"]
    foreign = (await post(client, stranger.key, CANCEL, {"id": withdrawal_id})).json()["data"]["cancelWithdrawal"]
    missing = (await post(client, stranger.key, CANCEL, {"id": gid("Withdrawal", 2**60)})).json()["data"][
        "cancelWithdrawal"
    ]
    malformed = (await post(client, stranger.key, CANCEL, {"id": "nope"})).json()["data"]["cancelWithdrawal"]
    assert (
        foreign
        == missing
        == malformed
        == {"withdrawal": None, "balance": None, "userErrors": [{"code": "NOT_FOUND", "field": ["id"]}]}
    )
    assert (
        await connection.fetchval(
            "select status from withdrawals where id = $1", int(base64.b64decode(withdrawal_id).split(b":")[1])
        )
        == "REQUESTED"
    )


PREPAY = """
mutation ($input: RequestPrepaymentInput!) {
  requestPrepayment(input: $input) {
    prepayment { amount { amount } fee { amount } status }
    balance { available { amount } pending { amount } total { amount } }
    userErrors { code }
  }
}
"""


async def test_prepayment_moves_pending_to_available_for_a_fee(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    body = (
        await post(
            client, seller.key, PREPAY, {"input": {"amount": "400.00", "currency": "BRL", "idempotencyKey": "p1"}}
        )
    ).json()
    payload = body["data"]["requestPrepayment"]
    assert payload["userErrors"] == []
    assert payload["prepayment"] == {"amount": {"amount": "400.00"}, "fee": {"amount": "10.00"}, "status": "APPROVED"}
    # available 1000 + 400 - 10 fee; pending 500 - 400; total 1500 - 10
    assert payload["balance"] == {
        "available": {"amount": "1390.00"},
        "pending": {"amount": "100.00"},
        "total": {"amount": "1490.00"},
    }
    legs = await connection.fetch(
        "select kind, amount, available_at > now() as later from statement_entries"
        " where producer_id = $1 and prepayment_id is not null order by amount",
        seller.id,
    )
    assert [(leg["kind"], leg["amount"], leg["later"]) for leg in legs] == [
        ("PREPAYMENT", Decimal("-300.00"), True),   # the release in 5 days, whole
        ("PREPAYMENT", Decimal("-100.00"), True),   # part of the release in 20 days
        ("PREPAYMENT_FEE", Decimal("-10.00"), False),
        ("PREPAYMENT", Decimal("400.00"), False),
    ]  # fmt: skip
    too_much = (
        await post(
            client, seller.key, PREPAY, {"input": {"amount": "100.01", "currency": "BRL", "idempotencyKey": "p2"}}
        )
    ).json()
    assert _codes(too_much["data"]["requestPrepayment"]) == ["INSUFFICIENT_FUNDS"]


async def _sale_with_refund(
    connection: asyncpg.Connection, seller: Seller, *, refund: str, gross: str = "100.00", status: str = "APPROVED"
) -> tuple[int, int]:
    sale = await make_sale(
        connection, seller, created_at=NOW - timedelta(days=3), gross=gross, fees="10.00", status=status
    )
    refund_id = await connection.fetchval(
        "insert into refunds (producer_id, sale_id, amount, currency, status, requested_at)"
        " values ($1, $2, $3, 'BRL', 'REQUESTED', now()) returning id",
        seller.id, sale, Decimal(refund),
    )  # fmt: skip
    return sale, int(refund_id)


APPROVE = "mutation ($id: ID!) { approveRefund(id: $id) { refund { status sale { status } } userErrors { code } } }"
DENY = "mutation ($id: ID!, $reason: String!) { denyRefund(id: $id, reason: $reason) { refund { status } userErrors { code } } }"


async def test_approving_a_refund(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_funded_seller(connection)
    sale, partial = await _sale_with_refund(connection, seller, refund="40.00")
    payload = (await post(client, seller.key, APPROVE, {"id": gid("Refund", partial)})).json()["data"]["approveRefund"]
    assert payload == {"refund": {"status": "APPROVED", "sale": {"status": "PARTIALLY_REFUNDED"}}, "userErrors": []}
    # net 90.00 of gross 100.00: refunding 40.00 takes back 36.00 of the producer's share
    assert await connection.fetchval("select amount from statement_entries where refund_id = $1", partial) == Decimal(
        "-36.00"
    )
    rest = await connection.fetchval(
        "insert into refunds (producer_id, sale_id, amount, currency, status, requested_at)"
        " values ($1, $2, 60, 'BRL', 'REQUESTED', now()) returning id", seller.id, sale,
    )  # fmt: skip
    payload = (await post(client, seller.key, APPROVE, {"id": gid("Refund", rest)})).json()["data"]["approveRefund"]
    assert payload["refund"]["sale"]["status"] == "REFUNDED"
    again = (await post(client, seller.key, APPROVE, {"id": gid("Refund", rest)})).json()["data"]["approveRefund"]
    assert _codes(again) == ["INVALID_STATE"]
    too_much = await connection.fetchval(
        "insert into refunds (producer_id, sale_id, amount, currency, status, requested_at)"
        " values ($1, $2, 1, 'BRL', 'REQUESTED', now()) returning id", seller.id, sale,
    )  # fmt: skip
    assert _codes(
        (await post(client, seller.key, APPROVE, {"id": gid("Refund", too_much)})).json()["data"]["approveRefund"]
    ) == ["INVALID_STATE"]


async def test_refund_larger_than_available_is_approved_and_available_goes_negative(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_seller(connection)
    _, refund = await _sale_with_refund(connection, seller, refund="100.00")
    payload = (await post(client, seller.key, APPROVE, {"id": gid("Refund", refund)})).json()["data"]["approveRefund"]
    assert payload["userErrors"] == []
    balances = (await post(client, seller.key, "{ balances { available { amount } } }")).json()["data"]["balances"]
    assert balances == [{"available": {"amount": "-90.00"}}]
    assert _codes(await _withdraw(client, seller, "1.00", "neg")) == ["INSUFFICIENT_FUNDS"]


async def test_refunds_over_the_sale_and_of_unrefundable_sales_are_refused(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    _, over = await _sale_with_refund(connection, seller, refund="100.01")
    assert _codes(
        (await post(client, seller.key, APPROVE, {"id": gid("Refund", over)})).json()["data"]["approveRefund"]
    ) == ["INVALID_AMOUNT"]
    _, chargeback = await _sale_with_refund(connection, seller, refund="10.00", status="CHARGEBACK")
    assert _codes(
        (await post(client, seller.key, APPROVE, {"id": gid("Refund", chargeback)})).json()["data"]["approveRefund"]
    ) == ["INVALID_STATE"]


async def test_denying_a_refund(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_funded_seller(connection)
    _, refund = await _sale_with_refund(connection, seller, refund="10.00")
    blank = (await post(client, seller.key, DENY, {"id": gid("Refund", refund), "reason": "  "})).json()["data"][
        "denyRefund"
    ]
    assert _codes(blank) == ["INVALID_INPUT"]
    long = (await post(client, seller.key, DENY, {"id": gid("Refund", refund), "reason": "x" * 1001})).json()["data"][
        "denyRefund"
    ]
    assert _codes(long) == ["LIMIT_EXCEEDED"]
    denied = (await post(client, seller.key, DENY, {"id": gid("Refund", refund), "reason": "Used"})).json()["data"][
        "denyRefund"
    ]
    assert denied == {"refund": {"status": "DENIED"}, "userErrors": []}
    assert await connection.fetchval("select denial_reason from refunds where id = $1", refund) == "Used"
    assert _codes(
        (await post(client, seller.key, APPROVE, {"id": gid("Refund", refund)})).json()["data"]["approveRefund"]
    ) == ["INVALID_STATE"]
    assert await connection.fetchval("select count(*) from statement_entries where refund_id = $1", refund) == 0


CANCEL_SUBSCRIPTION = 'mutation ($id: ID!) { cancelSubscription(id: $id, reason: "Too expensive") { subscription { status cancelledAt } userErrors { code } } }'
REACTIVATE = "mutation ($id: ID!) { reactivateSubscription(id: $id) { subscription { status cancelledAt nextChargeAt } userErrors { code } } }"


@pytest.mark.parametrize(
    ("status", "cancel_code", "reactivate_code"),
    [
        ("ACTIVE", None, "INVALID_STATE"),
        ("STARTED", None, "INVALID_STATE"),
        ("DELAYED", None, "INVALID_STATE"),
        ("OVERDUE", None, "INVALID_STATE"),
        ("INACTIVE", "INVALID_STATE", None),
        ("CANCELLED_BY_SELLER", "INVALID_STATE", None),
        ("CANCELLED_BY_CUSTOMER", "INVALID_STATE", "INVALID_STATE"),
        ("CANCELLED_BY_ADMIN", "INVALID_STATE", "INVALID_STATE"),
    ],
)
async def test_subscription_transitions(
    client: httpx.AsyncClient,
    connection: asyncpg.Connection,
    status: str,
    cancel_code: str | None,
    reactivate_code: str | None,
) -> None:
    seller = await make_seller(connection)
    for mutation, code, field in (
        (CANCEL_SUBSCRIPTION, cancel_code, "cancelSubscription"),
        (REACTIVATE, reactivate_code, "reactivateSubscription"),
    ):
        subscription = await make_subscription(connection, seller, started_at=NOW - timedelta(days=60), status=status)
        payload = (await post(client, seller.key, mutation, {"id": gid("Subscription", subscription)})).json()["data"][
            field
        ]
        if code is None:
            assert payload["userErrors"] == []
            expected = "CANCELLED_BY_SELLER" if field == "cancelSubscription" else "ACTIVE"
            assert payload["subscription"]["status"] == expected
            assert (payload["subscription"]["cancelledAt"] is None) == (expected == "ACTIVE")
        else:
            assert _codes(payload) == [code]
            assert await connection.fetchval("select status from subscriptions where id = $1", subscription) == status
    reason = await connection.fetchval(
        "select cancellation_reason from subscriptions where producer_id = $1 and status = 'CANCELLED_BY_SELLER'"
        " and cancellation_reason is not null limit 1", seller.id,
    )  # fmt: skip
    assert reason in (None, "Too expensive")


async def _affiliation(connection: asyncpg.Connection, seller: Seller, status: str) -> int:
    affiliate = await make_affiliate(connection, seller.id)
    return await make_affiliation(
        connection,
        seller.id,
        affiliate_id=affiliate,
        product_id=seller.product_id,
        status=status,
        applied_at=datetime.now(UTC),
    )


AFFILIATION_MUTATIONS = {
    "approve": "mutation ($id: ID!, $rate: Decimal) { approveAffiliation(id: $id, commissionRate: $rate) { affiliation { status commissionRate } userErrors { code } } }",
    "reject": 'mutation ($id: ID!) { rejectAffiliation(id: $id, reason: "No") { affiliation { status } userErrors { code } } }',
    "block": "mutation ($id: ID!) { blockAffiliation(id: $id) { affiliation { status } userErrors { code } } }",
}
AFFILIATION_RESULTS = {"approve": "ACTIVE", "reject": "REJECTED", "block": "BLOCKED"}
AFFILIATION_ALLOWED = {"approve": {"PENDING"}, "reject": {"PENDING"}, "block": {"PENDING", "ACTIVE"}}


@pytest.mark.parametrize("action", ["approve", "reject", "block"])
@pytest.mark.parametrize("status", ["PENDING", "ACTIVE", "REJECTED", "BLOCKED", "CANCELLED"])
async def test_affiliation_transitions(
    client: httpx.AsyncClient, connection: asyncpg.Connection, action: str, status: str
) -> None:
    seller = await make_seller(connection)
    affiliation = await _affiliation(connection, seller, status)
    body = (
        await post(client, seller.key, AFFILIATION_MUTATIONS[action], {"id": gid("Affiliation", affiliation)})
    ).json()
    payload = next(iter(body["data"].values()))
    if status in AFFILIATION_ALLOWED[action]:
        assert payload["userErrors"] == []
        assert payload["affiliation"]["status"] == AFFILIATION_RESULTS[action]
    else:
        assert _codes(payload) == ["INVALID_STATE"]
        assert await connection.fetchval("select status from affiliations where id = $1", affiliation) == status


@pytest.mark.parametrize(
    ("rate", "code"),
    [("45.50", None), ("0", "INVALID_AMOUNT"), ("90.01", "INVALID_AMOUNT"), ("10.123", "INVALID_AMOUNT")],
)
async def test_approving_with_a_commission_rate(
    client: httpx.AsyncClient, connection: asyncpg.Connection, rate: str, code: str | None
) -> None:
    seller = await make_seller(connection)
    affiliation = await _affiliation(connection, seller, "PENDING")
    body = (
        await post(
            client, seller.key, AFFILIATION_MUTATIONS["approve"], {"id": gid("Affiliation", affiliation), "rate": rate}
        )
    ).json()
    payload = body["data"]["approveAffiliation"]
    if code is None:
        assert payload["affiliation"] == {"status": "ACTIVE", "commissionRate": "45.50"}
    else:
        assert _codes(payload) == [code]
        assert await connection.fetchval("select status from affiliations where id = $1", affiliation) == "PENDING"


RECEIPT_MUTATIONS = {
    "accept": "mutation ($id: ID!) { acceptReceipt(id: $id) { receipt { status } userErrors { code } } }",
    "reject": "mutation ($id: ID!, $reason: String!) { rejectReceipt(id: $id, reason: $reason) { receipt { status } userErrors { code } } }",
}


@pytest.mark.parametrize("action", ["accept", "reject"])
@pytest.mark.parametrize(
    ("direction", "status"),
    [("RECEIVED", "PENDING"), ("RECEIVED", "ACCEPTED"), ("RECEIVED", "REJECTED"), ("SENT", "PENDING")],
)
async def test_receipt_transitions(
    client: httpx.AsyncClient, connection: asyncpg.Connection, action: str, direction: str, status: str
) -> None:
    seller = await make_seller(connection)
    affiliate = await make_affiliate(connection, seller.id)
    receipt = await connection.fetchval(
        "insert into receipts (producer_id, number, direction, affiliate_id, amount, currency, status, period_from,"
        " period_to, issued_at) values ($1, $2, $3, $4, 10, 'BRL', $5, '2025-01-01', '2025-01-31', now()) returning id",
        seller.id, f"R-{seller.id}", direction, affiliate, status,
    )  # fmt: skip
    variables = {"id": gid("Receipt", receipt), "reason": "Wrong amount"}
    payload = next(iter((await post(client, seller.key, RECEIPT_MUTATIONS[action], variables)).json()["data"].values()))
    if (direction, status) == ("RECEIVED", "PENDING"):
        assert payload == {"receipt": {"status": "ACCEPTED" if action == "accept" else "REJECTED"}, "userErrors": []}
    else:
        assert _codes(payload) == ["INVALID_STATE"]


async def test_reject_receipt_needs_a_reason(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection)
    affiliate = await make_affiliate(connection, seller.id)
    receipt = await connection.fetchval(
        "insert into receipts (producer_id, number, direction, affiliate_id, amount, currency, status, period_from,"
        " period_to, issued_at) values ($1, 'R-x', 'RECEIVED', $2, 10, 'BRL', 'PENDING', '2025-01-01', '2025-01-31', now())"
        " returning id", seller.id, affiliate,
    )  # fmt: skip
    payload = (
        await post(client, seller.key, RECEIPT_MUTATIONS["reject"], {"id": gid("Receipt", receipt), "reason": ""})
    ).json()
    assert _codes(payload["data"]["rejectReceipt"]) == ["INVALID_INPUT"]


@pytest.mark.parametrize(
    ("mutation", "variables", "scope"),
    [
        (WITHDRAW, {"input": {"amount": "1.00", "currency": "BRL", "idempotencyKey": "s"}}, "finance:write"),
        (APPROVE, {"id": gid("Refund", 1)}, "refunds:write"),
        (CANCEL_SUBSCRIPTION, {"id": gid("Subscription", 1)}, "subscriptions:write"),
        (AFFILIATION_MUTATIONS["block"], {"id": gid("Affiliation", 1)}, "affiliations:write"),
        (RECEIPT_MUTATIONS["accept"], {"id": gid("Receipt", 1)}, "finance:write"),
    ],
)
async def test_mutations_need_their_write_scope(
    client: httpx.AsyncClient, connection: asyncpg.Connection, mutation: str, variables: dict[str, Any], scope: str
) -> None:
    reader = await make_funded_seller(
        connection, scopes=["sales:read", "finance:read", "refunds:read", "subscriptions:read", "affiliations:read"]
    )
    body = (await post(client, reader.key, mutation, variables)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert scope in body["errors"][0]["message"]
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", reader.id) == 0


async def test_mutations_are_refused_by_get(client: httpx.AsyncClient, connection: asyncpg.Connection) -> None:
    seller = await make_funded_seller(connection)
    query = 'mutation { requestWithdrawal(input: {amount: "1.00", currency: BRL, idempotencyKey: "get"}) { userErrors { code } } }'
    response = await client.get("/graphql", params={"query": query}, headers={"authorization": f"Bearer {seller.key}"})
    assert response.status_code == 405
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", seller.id) == 0


# ---- exactly once under concurrency ----------------------------------------------------------------------


async def test_a_hundred_concurrent_withdrawals_of_everything_succeed_once(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    payloads = await asyncio.gather(*(_withdraw(client, seller, "1000.00", f"all-{n}") for n in range(100)))
    codes = sorted(tuple(_codes(payload)) for payload in payloads)
    assert codes.count(()) == 1
    assert codes.count(("INSUFFICIENT_FUNDS",)) == 99
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", seller.id) == 1


async def test_fifty_concurrent_calls_with_one_key_make_one_withdrawal(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    payloads = await asyncio.gather(*(_withdraw(client, seller, "10.00", "one-key") for _ in range(50)))
    assert len({str(payload) for payload in payloads}) == 1
    assert payloads[0]["userErrors"] == []
    assert await connection.fetchval("select count(*) from withdrawals where producer_id = $1", seller.id) == 1
    assert (
        await connection.fetchval(
            "select count(*) from statement_entries where producer_id = $1 and kind = 'WITHDRAWAL'", seller.id
        )
        == 1
    )


async def test_one_refund_approved_twenty_times_at_once_is_applied_once(
    client: httpx.AsyncClient, connection: asyncpg.Connection
) -> None:
    seller = await make_funded_seller(connection)
    sale, refund = await _sale_with_refund(connection, seller, refund="100.00")
    bodies = await asyncio.gather(
        *(post(client, seller.key, APPROVE, {"id": gid("Refund", refund)}) for _ in range(20))
    )
    payloads = [body.json()["data"]["approveRefund"] for body in bodies]
    assert sum(payload["userErrors"] == [] for payload in payloads) == 1
    assert sum(_codes(payload) == ["INVALID_STATE"] for payload in payloads) == 19
    assert await connection.fetchval("select count(*) from statement_entries where refund_id = $1", refund) == 1
    assert await connection.fetchval("select status from sales where id = $1", sale) == "REFUNDED"
