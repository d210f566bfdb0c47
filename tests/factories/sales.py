"""Sales: one by hand, or many varied ones in one statement."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

import asyncpg

from tests.factories.catalog import make_affiliate
from tests.factories.producers import Seller
from tests.factories.subscriptions import make_subscription

_counter = itertools.count(1)


async def make_sale(
    connection: asyncpg.Connection,
    seller: Seller,
    *,
    created_at: datetime,
    status: str = "APPROVED",
    currency: str = "BRL",
    gross: str = "100.00",
    fees: str = "9.90",
    taxes: str = "0.00",
    commission: str = "0.00",
    affiliate_id: int | None = None,
    buyer_id: int | None = None,
    product_id: int | None = None,
    payment_method: str = "CREDIT_CARD",
    device: str = "UNKNOWN",
    source: str | None = None,
    transaction_code: str | None = None,
) -> int:
    """A sale of the seller's product to its buyer unless others are named; net = gross - fees - taxes -
    commission; approved at its creation when made (APPROVED or COMPLETE)."""
    gross_amount, fee_amount, tax_amount, commission_amount = map(Decimal, (gross, fees, taxes, commission))
    return int(
        await connection.fetchval(
            """
            insert into sales (producer_id, transaction_code, status, product_id, buyer_id, affiliate_id,
                               payment_method, device, source, currency, gross_amount, fees, taxes,
                               affiliate_commission, net_amount, created_at, approved_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            returning id
            """,
            seller.id,
            transaction_code or f"TX{next(_counter):09d}",
            status,
            product_id or seller.product_id,
            buyer_id or seller.buyer_id,
            affiliate_id,
            payment_method,
            device,
            source,
            currency,
            gross_amount,
            fee_amount,
            tax_amount,
            commission_amount,
            gross_amount - fee_amount - tax_amount - commission_amount,
            created_at,
            created_at if status in ("APPROVED", "COMPLETE") else None,
        )
    )


async def bulk_sales(connection: asyncpg.Connection, seller: Seller, count: int, *, base: datetime) -> None:
    """`count` varied sales in one statement, with many ties in created_at and gross_amount.

    Every 5th has an affiliate, every 7th belongs to a subscription, every 11th has a refund, every 13th
    recovered a lost sale.
    """
    affiliate_id = await make_affiliate(connection, seller.id)
    subscription_id = await make_subscription(connection, seller, started_at=base)
    statuses = ["APPROVED", "COMPLETE", "CANCELLED", "REFUNDED", "WAITING_PAYMENT", "APPROVED"]
    methods = ["CREDIT_CARD", "PIX", "BILLET", "PAYPAL"]
    await connection.execute(
        """
        insert into sales (producer_id, transaction_code, status, product_id, buyer_id, affiliate_id, subscription_id,
                           payment_method, currency, gross_amount, fees, taxes, affiliate_commission, net_amount,
                           created_at, approved_at)
        select $1, 'BULK' || $1::bigint || '-' || i, ($5::text[])[1 + i % 6], $2, $3,
               case when i % 5 = 0 then $4::bigint end,
               case when i % 7 = 0 then $8::bigint end,
               ($6::text[])[1 + i % 4], case when i % 3 = 0 then 'USD' else 'BRL' end,
               10 + (i * 7) % 50, 1.00, 0.50, case when i % 5 = 0 then 2.00 else 0 end,
               10 + (i * 7) % 50 - 1.50 - case when i % 5 = 0 then 2.00 else 0 end,
               $7::timestamptz - (i % 400) * interval '1 hour', $7::timestamptz - (i % 400) * interval '1 hour'
        from generate_series(1, $9::int) as i
        """,
        seller.id,
        seller.product_id,
        seller.buyer_id,
        affiliate_id,
        statuses,
        methods,
        base,
        subscription_id,
        count,
    )
    await connection.execute(
        """
        insert into refunds (producer_id, sale_id, amount, currency, status, requested_at, resolved_at)
        select producer_id, id, 1.00, currency, 'APPROVED', created_at, created_at
        from sales where producer_id = $1 and id % 11 = 0
        """,
        seller.id,
    )
    await connection.execute(
        """
        insert into lost_sales (producer_id, reason, product_id, buyer_id, currency, amount, created_at,
                                recovered_sale_id)
        select producer_id, 'CARD_DECLINED', product_id, buyer_id, currency, gross_amount,
               created_at - interval '1 minute', id
        from sales where producer_id = $1 and id % 13 = 0
        """,
        seller.id,
    )
