"""Decisions on refunds, subscriptions, affiliations and received receipts."""

from __future__ import annotations

from decimal import Decimal

import asyncpg

from gateway.context import Context
from loaders.affiliations import AffiliationRow
from loaders.finance import ReceiptRow
from loaders.refund_writes import approve_refund, deny_refund
from loaders.refunds import RefundRow
from loaders.status_writes import cancel_subscription, decide_affiliation, decide_receipt, reactivate_subscription
from loaders.subscriptions import SubscriptionRow
from loaders.writes import Outcome, Refused
from resolvers.mutations.common import Invalid, audited_write, reason_text, target_pk

MIN_COMMISSION_RATE = Decimal("0.01")
MAX_COMMISSION_RATE = Decimal("90.00")


async def approve(context: Context, refund_id: str) -> Outcome[RefundRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[RefundRow]:
        return await approve_refund(connection, context.producer_id, target_pk(refund_id, "Refund"))

    return await audited_write(context, "refunds:write", "approveRefund", {"id": refund_id}, "Refund", write)


async def deny(context: Context, refund_id: str, reason: str) -> Outcome[RefundRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[RefundRow]:
        pk = target_pk(refund_id, "Refund")
        text = reason_text(reason, required=True)
        assert text is not None
        return await deny_refund(connection, context.producer_id, pk, text)

    arguments = {"id": refund_id, "reason": reason}
    return await audited_write(context, "refunds:write", "denyRefund", arguments, "Refund", write)


async def cancel_subscription_by_seller(
    context: Context, subscription_id: str, reason: str | None
) -> Outcome[SubscriptionRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[SubscriptionRow]:
        pk = target_pk(subscription_id, "Subscription")
        return await cancel_subscription(connection, context.producer_id, pk, reason_text(reason, required=False))

    arguments = {"id": subscription_id, "reason": reason}
    return await audited_write(context, "subscriptions:write", "cancelSubscription", arguments, "Subscription", write)


async def reactivate(context: Context, subscription_id: str) -> Outcome[SubscriptionRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[SubscriptionRow]:
        pk = target_pk(subscription_id, "Subscription")
        return await reactivate_subscription(connection, context.producer_id, pk)

    arguments = {"id": subscription_id}
    return await audited_write(
        context, "subscriptions:write", "reactivateSubscription", arguments, "Subscription", write
    )


def commission_rate(rate: Decimal | None) -> Decimal | None:
    """A percent between 0.01 and 90.00 with at most two decimals, or None to keep the applied rate."""
    if rate is None:
        return None
    exponent = rate.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -2 or not MIN_COMMISSION_RATE <= rate <= MAX_COMMISSION_RATE:
        message = f"The commission rate is a percent from {MIN_COMMISSION_RATE} to {MAX_COMMISSION_RATE}, 2 decimals"
        raise Invalid(Refused("INVALID_AMOUNT", message, ("commissionRate",)))
    return rate


AFFILIATION_ACTIONS = {"ACTIVE": "approveAffiliation", "REJECTED": "rejectAffiliation", "BLOCKED": "blockAffiliation"}


async def decide_affiliation_status(
    context: Context, affiliation_id: str, status: str, *, reason: str | None = None, rate: Decimal | None = None
) -> Outcome[AffiliationRow]:
    """Approve (status ACTIVE, optionally setting the rate), reject or block an affiliation."""

    async def write(connection: asyncpg.Connection) -> Outcome[AffiliationRow]:
        pk = target_pk(affiliation_id, "Affiliation")
        return await decide_affiliation(
            connection,
            context.producer_id,
            pk,
            status,
            reason=reason_text(reason, required=False),
            commission_rate=commission_rate(rate),
        )

    arguments = {"id": affiliation_id, "reason": reason, "commissionRate": str(rate) if rate is not None else None}
    action = AFFILIATION_ACTIONS[status]
    return await audited_write(context, "affiliations:write", action, arguments, "Affiliation", write)


async def decide(context: Context, receipt_id: str, *, accept: bool, reason: str | None) -> Outcome[ReceiptRow]:
    async def write(connection: asyncpg.Connection) -> Outcome[ReceiptRow]:
        pk = target_pk(receipt_id, "Receipt")
        text = reason_text(reason, required=not accept)
        return await decide_receipt(connection, context.producer_id, pk, accept=accept, reason=text)

    action = "acceptReceipt" if accept else "rejectReceipt"
    arguments = {"id": receipt_id, "reason": reason}
    return await audited_write(context, "finance:write", action, arguments, "Receipt", write)
