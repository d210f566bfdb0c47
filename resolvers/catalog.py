"""Products, buyers and affiliates, by id and by page."""

from __future__ import annotations

from gateway.context import Context
from loaders.catalog import (
    PRODUCTS_ORDER,
    AffiliateByIdLoader,
    AffiliateRow,
    BuyerByIdLoader,
    BuyerRow,
    ProductByIdLoader,
    ProductRow,
    count_products,
    products_page,
)
from loaders.paging import Page
from resolvers.pagination import Window, order_name, page_request

PRODUCTS_ORDER_NAME = order_name("products", PRODUCTS_ORDER)


class MissingRowError(LookupError):
    """A row that a foreign key promises is not visible: a bug or a broken tenant boundary."""


async def product(context: Context, product_id: int) -> ProductRow:
    row = await context.loaders.get(ProductByIdLoader).load(product_id)
    if row is None:
        raise MissingRowError(f"product {product_id}")
    return row


async def buyer(context: Context, buyer_id: int) -> BuyerRow:
    row = await context.loaders.get(BuyerByIdLoader).load(buyer_id)
    if row is None:
        raise MissingRowError(f"buyer {buyer_id}")
    return row


async def affiliate(context: Context, affiliate_id: int | None) -> AffiliateRow | None:
    if affiliate_id is None:
        return None
    row = await context.loaders.get(AffiliateByIdLoader).load(affiliate_id)
    if row is None:
        raise MissingRowError(f"affiliate {affiliate_id}")
    return row


async def products(context: Context, window: Window) -> Page[ProductRow]:
    request = page_request(PRODUCTS_ORDER_NAME, "datetime", **window.arguments())
    return await products_page(context.db, request)


async def products_count(context: Context) -> int:
    return await count_products(context.db)
