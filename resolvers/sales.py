"""Sales: the filtered, ordered list, one sale by its transaction code, and the relations to sales."""

from __future__ import annotations

from loaders.sales import SALES, SaleByIdLoader, SaleByTransactionCodeLoader, SaleFilterSpec, SaleRow
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.relations import Relation
from resolvers.scopes import require_scope

MAX_SEARCH_LENGTH = 200

SALE = Relation("Sale", SaleByIdLoader, "sale_id")  # of a refund, a statement entry
RECOVERING_SALE = Relation("Sale", SaleByIdLoader, "recovered_sale_id")  # of a lost sale


async def sales(context: Context, spec: SaleFilterSpec, window: Window, order: str) -> ListPage[SaleRow]:
    """`order` is `FIELD:DIRECTION`, one of the orders of `loaders.sales.SALES`."""
    return await list_page(context, SALES, spec, window, scope="sales:read", order=order)


async def sale(context: Context, transaction_code: str) -> SaleRow | None:
    require_scope(context.principal, "sales:read")
    if not transaction_code or len(transaction_code) > 64:
        return None
    return await context.loaders.get(SaleByTransactionCodeLoader).load(transaction_code)
