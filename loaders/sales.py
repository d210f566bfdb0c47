"""Sales: the list with its filters and orders, and sales by id and by transaction code."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.batching import ProducerLoader, column_list, in_key_order, rows_by_id
from loaders.keyset import KeysetList, synced_orders
from loaders.where import Condition, any_of, equals, like_pattern, updated_since, within

MADE_STATUSES = ["APPROVED", "COMPLETE"]  # a sale "is made" in one of these


@dataclass(slots=True)
class SaleRow:
    id: int
    transaction_code: str
    status: str
    product_id: int
    offer_code: str | None
    buyer_id: int
    affiliate_id: int | None
    subscription_id: int | None
    payment_method: str
    installments: int
    device: str
    source: str | None
    currency: str
    gross_amount: Decimal
    fees: Decimal
    taxes: Decimal
    affiliate_commission: Decimal
    net_amount: Decimal
    created_at: datetime
    approved_at: datetime | None
    updated_at: datetime
    updated_xid: int  # the transaction that last wrote it (the UPDATED_AT order)


SALE_COLUMNS = column_list(SaleRow)


SALES = KeysetList(
    "sales",
    SaleRow,
    "sales s",
    synced_orders("CREATED_AT:DESC", "GROSS_AMOUNT:DESC"),
    (
        any_of("status", "s.status"),
        any_of("product_ids", "s.product_id", "bigint"),
        any_of("payment_methods", "s.payment_method"),
        equals("currency", "s.currency"),
        *within("created", "s.created_at"),
        updated_since("s.updated_at"),
        equals("affiliate_id", "s.affiliate_id"),
        equals("subscription_id", "s.subscription_id"),
        Condition(
            "buyer_email",
            "s.buyer_id = any(array(select b.id from buyers b"
            " where b.producer_id = $1 and lower(b.email) = lower({0})))",
        ),
        Condition(
            "recovered",
            "exists (select 1 from lost_sales l where l.producer_id = s.producer_id and l.recovered_sale_id = s.id)",
            otherwise="not exists (select 1 from lost_sales l"
            " where l.producer_id = s.producer_id and l.recovered_sale_id = s.id)",
        ),
        Condition(
            "search",
            "(s.transaction_code = {0} or s.buyer_id = any(array(select b.id from buyers b where b.producer_id = $1"
            " and (b.name ilike {1} or b.email ilike {1}))))",
            values=lambda text: (text, like_pattern(text)),
        ),
    ),
)


SaleByIdLoader = rows_by_id("sales", SaleRow)


class SaleByTransactionCodeLoader(ProducerLoader[str, SaleRow]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[SaleRow | None]:
        rows = await self.db.fetch(
            f"select {SALE_COLUMNS} from sales where producer_id = $1 and transaction_code = any($2::text[])",
            self.db.producer_id,
            list(keys),
        )
        return in_key_order(keys, {row["transaction_code"]: SaleRow(*row) for row in rows})
