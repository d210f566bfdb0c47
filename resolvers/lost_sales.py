"""Lost sales: the list (the last attempt per buyer and product), and the lost sale a sale recovered."""

from __future__ import annotations

from loaders.lost_sales import LOST_SALES, LostSaleByRecoveringSaleLoader, LostSaleRow
from loaders.where import Filters
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.relations import Relation

RECOVERED_LOST_SALE = Relation("LostSale", LostSaleByRecoveringSaleLoader, "id", may_be_missing=True)  # of a sale


async def lost_sales(
    context: Context, filters: Filters, window: Window, order: str | None = None
) -> ListPage[LostSaleRow]:
    """Lost sales, newest first: the last failed attempt per buyer and product. Scope: sales:read."""
    return await list_page(context, LOST_SALES, filters, window, scope="sales:read", order=order)
