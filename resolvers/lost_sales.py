"""Lost sales: the list (last attempt per buyer and product) and the sale that recovered one."""

from __future__ import annotations

from gateway.context import Context
from loaders.lost_sales import LOST_SALES_ORDER, LostSaleFilterSpec, LostSaleRow, count_lost_sales, lost_sales_page
from loaders.paging import Page
from resolvers.pagination import Window, order_name, page_request

LOST_SALES_ORDER_NAME = order_name("lost_sales", LOST_SALES_ORDER)


async def lost_sales(
    context: Context,
    spec: LostSaleFilterSpec,
    window: Window,
) -> Page[LostSaleRow]:
    request = page_request(LOST_SALES_ORDER_NAME, "datetime", **window.arguments())
    return await lost_sales_page(context.db, spec, request)


async def lost_sales_count(context: Context, spec: LostSaleFilterSpec) -> int:
    return await count_lost_sales(context.db, spec)
