"""Refunds: the list, the sale of a refund, and what the producer may do with one now."""

from __future__ import annotations

from gateway.context import Context
from loaders.paging import Page
from loaders.refunds import REFUNDS_ORDER, RefundFilterSpec, RefundRow, count_refunds, refunds_page
from resolvers.pagination import Window, order_name, page_request

REFUNDS_ORDER_NAME = order_name("refunds", REFUNDS_ORDER)


async def refunds(context: Context, spec: RefundFilterSpec, window: Window) -> Page[RefundRow]:
    request = page_request(REFUNDS_ORDER_NAME, "datetime", **window.arguments())
    return await refunds_page(context.db, spec, request)


async def refunds_count(context: Context, spec: RefundFilterSpec) -> int:
    return await count_refunds(context.db, spec)


def available_actions(row: RefundRow, *, can_write: bool) -> list[str]:
    """A refund may be approved or denied while it is REQUESTED, by a key allowed to write refunds."""
    if row.status == "REQUESTED" and can_write:
        return ["APPROVE", "DENY"]
    return []
