"""`node(id:)`: any object by its global id, subject to tenancy and scopes."""

from __future__ import annotations

from typing import Any

from loaders.affiliations import AffiliationByIdLoader
from loaders.batching import ProducerLoader
from loaders.catalog import AffiliateByIdLoader, BuyerByIdLoader, ProductByIdLoader
from loaders.finance.ledger import StatementEntryByIdLoader
from loaders.finance.payouts import PrepaymentByIdLoader, WithdrawalByIdLoader
from loaders.finance.receipts import ReceiptByIdLoader
from loaders.lost_sales import LostSaleByIdLoader
from loaders.producers import ProducerByIdLoader
from loaders.refunds import RefundByIdLoader
from loaders.sales import SaleByIdLoader
from loaders.subscriptions import SubscriptionByIdLoader
from loaders.webhooks import WebhookDeliveryByIdLoader, WebhookSubscriptionByIdLoader
from resolvers.context import Context
from resolvers.errors import BadUserInput
from resolvers.ids import from_global_id
from resolvers.scopes import require_scope

# the loader of each type's rows by id, and the scope reading them needs (None: any key)
NODE_LOADERS: dict[str, tuple[type[ProducerLoader[int, Any]], str | None]] = {
    "Producer": (ProducerByIdLoader, None),
    "Product": (ProductByIdLoader, "sales:read"),
    "Buyer": (BuyerByIdLoader, "sales:read"),
    "Affiliate": (AffiliateByIdLoader, "sales:read"),
    "Sale": (SaleByIdLoader, "sales:read"),
    "LostSale": (LostSaleByIdLoader, "sales:read"),
    "Refund": (RefundByIdLoader, "refunds:read"),
    "Subscription": (SubscriptionByIdLoader, "subscriptions:read"),
    "Affiliation": (AffiliationByIdLoader, "affiliations:read"),
    "StatementEntry": (StatementEntryByIdLoader, "finance:read"),
    "Withdrawal": (WithdrawalByIdLoader, "finance:read"),
    "Prepayment": (PrepaymentByIdLoader, "finance:read"),
    "Receipt": (ReceiptByIdLoader, "finance:read"),
    "WebhookSubscription": (WebhookSubscriptionByIdLoader, "webhooks:read"),
    "WebhookDelivery": (WebhookDeliveryByIdLoader, "webhooks:read"),
}


async def node(context: Context, global_id: str) -> tuple[str, Any] | None:
    """The type name and row behind an id of this producer, or None: another producer's id looks exactly like
    a missing one."""
    type_name, pk = from_global_id(global_id)
    found = NODE_LOADERS.get(type_name)
    if found is None:
        raise BadUserInput(f"Invalid id: {global_id[:100]!r} is not an id this API gave out")
    loader, scope = found
    if scope is not None:
        require_scope(context.principal, scope)
    row = await context.loaders.get(loader).load(pk)
    return (type_name, row) if row is not None else None
