"""Sales: the filtered, ordered list, one sale by its transaction code, and the relations to sales."""

from __future__ import annotations

from loaders.sales import SALES, SaleByIdLoader, SaleByTransactionCodeLoader, SaleRow
from loaders.where import Filters
from resolvers.context import Context
from resolvers.errors import BadUserInput
from resolvers.lists import ListPage, Window, list_page
from resolvers.relations import Relation
from resolvers.scopes import require_scope

MAX_SEARCH_LENGTH = 200
MAX_EMAIL_LENGTH = 320

SALE = Relation("Sale", SaleByIdLoader, "sale_id")  # of a refund, a statement entry
RECOVERING_SALE = Relation("Sale", SaleByIdLoader, "recovered_sale_id")  # of a lost sale


async def sales(context: Context, filters: Filters, window: Window, order: str | None) -> ListPage[SaleRow]:
    """The producer's sales, newest first by default. Scope: sales:read."""
    # `order` is `FIELD:DIRECTION`, one of the orders of `loaders.sales.SALES`; None for the first of them
    return await list_page(context, SALES, _checked(filters, order), window, scope="sales:read", order=order)


def _checked(filters: Filters, order: str | None) -> Filters:
    """The search trimmed (no search when blank), the buyer's e-mail within what an address may be; an order by
    amount within one currency (amounts of different currencies do not compare)."""
    if order is not None and order.startswith("GROSS_AMOUNT") and filters.get("currency") is None:
        raise BadUserInput("Ordering by GROSS_AMOUNT compares amounts: choose their currency with `filter.currency`")
    checked = dict(filters)
    search = (checked.pop("search", None) or "").strip()[:MAX_SEARCH_LENGTH]
    if search:
        checked["search"] = search
    email = checked.get("buyer_email")
    if email is not None and len(email) > MAX_EMAIL_LENGTH:
        raise BadUserInput(f"`filter.buyerEmail` may have at most {MAX_EMAIL_LENGTH} characters")
    return checked


async def sale(context: Context, transaction_code: str) -> SaleRow | None:
    require_scope(context.principal, "sales:read")
    if not transaction_code or len(transaction_code) > 64:
        return None
    return await context.loaders.get(SaleByTransactionCodeLoader).load(transaction_code)
