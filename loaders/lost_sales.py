"""Lost sales. A lost sale counts once per buyer and product: the last failed attempt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from loaders.batching import ProducerLoader, column_list, in_key_order, rows_by_id
from loaders.keyset import KeysetList, synced_orders
from loaders.where import Condition, any_of, equals, updated_since, within


@dataclass(slots=True)
class LostSaleRow:
    id: int
    reason: str
    product_id: int
    buyer_id: int
    currency: str
    amount: Decimal
    payment_method: str | None
    source: str | None
    created_at: datetime
    recovered_sale_id: int | None
    updated_at: datetime
    updated_xid: int  # the transaction that last wrote it (the UPDATED_AT order)


LOST_SALE_COLUMNS = column_list(LostSaleRow)

# no later attempt by the same buyer on the same product: `l` is the last attempt (the one that counts)
LAST_ATTEMPT = (
    "not exists (select 1 from lost_sales later where later.producer_id = l.producer_id"
    " and later.buyer_id = l.buyer_id and later.product_id = l.product_id"
    " and (later.created_at, later.id) > (l.created_at, l.id))"
)


LOST_SALES = KeysetList(
    "lost_sales",
    LostSaleRow,
    "lost_sales l",
    synced_orders("CREATED_AT:DESC"),
    (
        any_of("reasons", "l.reason"),
        updated_since("l.updated_at"),
        any_of("product_ids", "l.product_id", "bigint"),
        equals("currency", "l.currency"),
        *within("created", "l.created_at"),
        Condition("recovered", "l.recovered_sale_id is not null", otherwise="l.recovered_sale_id is null"),
    ),
    always=(LAST_ATTEMPT,),
)


LostSaleByIdLoader = rows_by_id("lost_sales", LostSaleRow)


class LostSaleByRecoveringSaleLoader(ProducerLoader[int, LostSaleRow]):
    """The lost sale a sale recovered: the last attempt it recovered, by the sale's id."""

    async def batch_load_fn(self, keys: Sequence[int]) -> list[LostSaleRow | None]:
        rows = await self.db.fetch(
            f"""
            select distinct on (recovered_sale_id) {LOST_SALE_COLUMNS}
            from lost_sales
            where producer_id = $1 and recovered_sale_id = any($2::bigint[])
            order by recovered_sale_id, created_at desc, id desc
            """,
            self.db.producer_id,
            list(keys),
        )
        return in_key_order(keys, {row["recovered_sale_id"]: LostSaleRow(*row) for row in rows})
