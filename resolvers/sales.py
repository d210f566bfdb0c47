"""Sales: the filtered, ordered list; one sale by transaction code; what a sale refers to."""

from __future__ import annotations

from gateway.context import Context
from loaders.lost_sales import LostSaleByRecoveringSaleLoader, LostSaleRow
from loaders.paging import KeysetOrder, Page
from loaders.refunds import RefundRow, RefundsBySaleLoader
from loaders.sales import (
    SALE_ORDERS,
    SaleByIdLoader,
    SaleByTransactionCodeLoader,
    SaleFilterSpec,
    SaleRow,
    count_sales,
    sales_page,
)
from loaders.subscriptions import SubscriptionByIdLoader, SubscriptionRow
from resolvers.catalog import MissingRowError, all_found
from resolvers.pagination import ValueKind, Window, order_name, page_request

MAX_SEARCH_LENGTH = 200


def sale_order(field: str, direction: str) -> tuple[str, KeysetOrder, ValueKind]:
    """The keyset order of a sales list, its cursor name and its sort value's kind."""
    order = SALE_ORDERS[(field, direction)]
    return order_name("sales", order), order, "decimal" if field == "GROSS_AMOUNT" else "datetime"


async def sales(
    context: Context,
    spec: SaleFilterSpec,
    order: tuple[str, KeysetOrder, ValueKind],
    window: Window,
) -> Page[SaleRow]:
    name, keyset, kind = order
    request = page_request(name, kind, **window.arguments())
    return await sales_page(context.db, spec, keyset, request)


async def sales_count(context: Context, spec: SaleFilterSpec) -> int:
    return await count_sales(context.db, spec)


async def sale_by_transaction_code(context: Context, transaction_code: str) -> SaleRow | None:
    if not transaction_code or len(transaction_code) > 64:
        return None
    return await context.loaders.get(SaleByTransactionCodeLoader).load(transaction_code)


async def refunds_of(context: Context, sale_id: int) -> list[RefundRow]:
    return await context.loaders.get(RefundsBySaleLoader).load(sale_id) or []


async def recovered_from(context: Context, sale_id: int) -> LostSaleRow | None:
    return await context.loaders.get(LostSaleByRecoveringSaleLoader).load(sale_id)


async def recovered_from_many(context: Context, sale_ids: list[int]) -> list[LostSaleRow | None]:
    """`recovered_from` for many sales at once, in their order."""
    return await context.loaders.get(LostSaleByRecoveringSaleLoader).load_many(sale_ids)


async def subscription_of(context: Context, subscription_id: int | None) -> SubscriptionRow | None:
    if subscription_id is None:
        return None
    row = await context.loaders.get(SubscriptionByIdLoader).load(subscription_id)
    if row is None:
        raise MissingRowError(f"subscription {subscription_id}")
    return row


async def sale_by_id(context: Context, sale_id: int) -> SaleRow | None:
    return await context.loaders.get(SaleByIdLoader).load(sale_id)


async def sale_of(context: Context, sale_id: int) -> SaleRow:
    """The sale another row refers to."""
    row = await sale_by_id(context, sale_id)
    if row is None:
        raise MissingRowError(f"sale {sale_id}")
    return row


async def sales_of(context: Context, sale_ids: list[int]) -> list[SaleRow]:
    """`sale_of` for many ids at once, in their order."""
    return all_found("sale", sale_ids, await context.loaders.get(SaleByIdLoader).load_many(sale_ids))
