"""Products, buyers and affiliates, by id and by page."""

from __future__ import annotations

from typing import TypeVar

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
R = TypeVar("R")


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


async def products_by_id(context: Context, product_ids: list[int]) -> list[ProductRow]:
    """`product` for many ids at once, in their order."""
    return all_found("product", product_ids, await context.loaders.get(ProductByIdLoader).load_many(product_ids))


async def buyers_by_id(context: Context, buyer_ids: list[int]) -> list[BuyerRow]:
    """`buyer` for many ids at once, in their order."""
    return all_found("buyer", buyer_ids, await context.loaders.get(BuyerByIdLoader).load_many(buyer_ids))


async def affiliates_by_id(context: Context, affiliate_ids: list[int | None]) -> list[AffiliateRow | None]:
    """`affiliate` for many ids (None for none) at once, in their order."""
    present = [affiliate_id for affiliate_id in affiliate_ids if affiliate_id is not None]
    rows = iter(all_found("affiliate", present, await context.loaders.get(AffiliateByIdLoader).load_many(present)))
    return [None if affiliate_id is None else next(rows) for affiliate_id in affiliate_ids]


def all_found(kind: str, keys: list[int], rows: list[R | None]) -> list[R]:
    """Loaded rows that a foreign key promises: `MissingRowError` if any is not there."""
    for key, row in zip(keys, rows, strict=True):
        if row is None:
            raise MissingRowError(f"{kind} {key}")
    return rows  # type: ignore[return-value]


async def products(context: Context, window: Window) -> Page[ProductRow]:
    request = page_request(PRODUCTS_ORDER_NAME, "datetime", **window.arguments())
    return await products_page(context.db, request)


async def products_count(context: Context) -> int:
    return await count_products(context.db)
