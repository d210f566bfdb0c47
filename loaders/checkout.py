"""The checkout's writes, as the real checkout makes them straight into the database (not through this API):
new sales, approvals with their ledger entries, lost sales, refund requests. `sales-gateway simulate` drives
them, so that the outbox, the live feed and the dashboard can be seen working; each is one transaction, as
the owner, for one producer."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import asyncpg

FEE_RATE = Decimal("0.099")  # the platform's fee on a sale
CENT = Decimal("0.01")
# how long a sale's money stays pending: a billet or Pix payment cannot be disputed like a card's
CASH_GUARANTEE = timedelta(days=7)
CARD_GUARANTEE = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class Offer:
    """A product the producer sells, at its price."""

    product_id: int
    product_name: str
    price: Decimal
    currency: str


class NothingToSell(LookupError):
    """The producer has no product, or no buyer, to simulate a checkout with."""


async def offers(connection: asyncpg.Connection, producer_id: int) -> tuple[list[Offer], list[int]]:
    """The producer's products with a price, and its buyers."""
    products = await connection.fetch(
        "select id, name, price, currency from products where producer_id = $1 and price > 0 order by id",
        producer_id,
    )
    buyers = [
        row["id"]
        for row in await connection.fetch(
            "select id from buyers where producer_id = $1 order by id limit 500", producer_id
        )
    ]
    if not products or not buyers:
        raise NothingToSell(f"producer {producer_id} has no product with a price, or no buyer")
    made = [Offer(row["id"], row["name"], row["price"], row["currency"]) for row in products]
    return made, buyers


def transaction_code() -> str:
    return "SIM" + secrets.token_hex(6).upper()


async def new_sale(
    connection: asyncpg.Connection, producer_id: int, offer: Offer, buyer_id: int, payment_method: str, approved: bool
) -> int:
    """A sale made now: approved at once (a card), or waiting for its payment (a billet, a Pix)."""
    gross = offer.price
    fees = (gross * FEE_RATE).quantize(CENT)
    async with connection.transaction():
        sale_id: int = await connection.fetchval(
            """
            insert into sales (producer_id, transaction_code, status, product_id, buyer_id, payment_method, device,
                               source, currency, gross_amount, fees, taxes, affiliate_commission, net_amount,
                               created_at, approved_at)
            values ($1, $2, $3, $4, $5, $6, 'DESKTOP', 'simulated', $7, $8::numeric, $9::numeric, 0, 0,
                    $8::numeric - $9::numeric, now(),
                    case when $10::boolean then now() end)
            returning id
            """,
            producer_id,
            transaction_code(),
            "APPROVED" if approved else "WAITING_PAYMENT",
            offer.product_id,
            buyer_id,
            payment_method,
            offer.currency,
            gross,
            fees,
            approved,
        )
        if approved:
            await _book(connection, producer_id, sale_id)
    return sale_id


async def approve_waiting_sale(connection: asyncpg.Connection, producer_id: int) -> int | None:
    """The oldest sale waiting for its payment, paid now (None when none waits)."""
    async with connection.transaction():
        sale_id: int | None = await connection.fetchval(
            """
            update sales set status = 'APPROVED', approved_at = now()
            where id = (select id from sales where producer_id = $1 and status = 'WAITING_PAYMENT'
                        order by created_at, id limit 1 for update skip locked)
            returning id
            """,
            producer_id,
        )
        if sale_id is not None:
            await _book(connection, producer_id, sale_id)
    return sale_id


async def _book(connection: asyncpg.Connection, producer_id: int, sale_id: int) -> None:
    """The ledger entries of an approved sale: its gross, less fees; pending until its guarantee ends."""
    await connection.execute(
        """
        insert into statement_entries (producer_id, kind, currency, amount, description, sale_id, occurred_at,
                                       available_at)
        select s.producer_id, leg.kind, s.currency, leg.amount, leg.description, s.id, s.approved_at,
               s.approved_at + case when s.payment_method in ('BILLET', 'PIX') then $3::interval else $4 end
        from sales s join products p on p.id = s.product_id
        cross join lateral (values
            (1, 'SALE', s.gross_amount, 'Sale ' || s.transaction_code || ' - ' || p.name),
            (2, 'FEE', -(s.fees + s.taxes), 'Fees and taxes - sale ' || s.transaction_code)
        ) as leg (n, kind, amount, description)
        where s.producer_id = $1 and s.id = $2
        order by leg.n
        """,
        producer_id,
        sale_id,
        CASH_GUARANTEE,
        CARD_GUARANTEE,
    )


async def lost_sale(
    connection: asyncpg.Connection, producer_id: int, offer: Offer, buyer_id: int, reason: str, payment_method: str
) -> int:
    """A purchase that failed now (a card declined, a checkout abandoned)."""
    lost_id: int = await connection.fetchval(
        """
        insert into lost_sales (producer_id, reason, product_id, buyer_id, currency, amount, payment_method, source,
                                created_at)
        values ($1, $2, $3, $4, $5, $6, $7, 'simulated', now())
        returning id
        """,
        producer_id,
        reason,
        offer.product_id,
        buyer_id,
        offer.currency,
        offer.price,
        payment_method,
    )
    return lost_id


async def refund_request(connection: asyncpg.Connection, producer_id: int) -> int | None:
    """A buyer asks for the whole price of a recent approved sale back (None when there is none to ask for)."""
    refund_id: int | None = await connection.fetchval(
        """
        insert into refunds (producer_id, sale_id, amount, currency, reason, status, requested_at)
        select s.producer_id, s.id, s.gross_amount, s.currency, 'Changed my mind', 'REQUESTED', now()
        from sales s
        where s.producer_id = $1 and s.status = 'APPROVED' and s.gross_amount > 0
          and not exists (select 1 from refunds r where r.producer_id = s.producer_id and r.sale_id = s.id)
        order by s.approved_at desc, s.id desc
        limit 1
        returning id
        """,
        producer_id,
    )
    return refund_id
