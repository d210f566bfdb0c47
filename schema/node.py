"""Which loader, builder and scope serve each Node type for `node(id:)`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from loaders.affiliations import AffiliationByIdLoader
from loaders.base import ProducerLoader
from loaders.catalog import AffiliateByIdLoader, BuyerByIdLoader, ProductByIdLoader
from loaders.finance import PrepaymentByIdLoader, ReceiptByIdLoader, StatementEntryByIdLoader, WithdrawalByIdLoader
from loaders.lost_sales import LostSaleByIdLoader
from loaders.producers import ProducerByIdLoader
from loaders.refunds import RefundByIdLoader
from loaders.sales import SaleByIdLoader
from loaders.subscriptions import SubscriptionByIdLoader
from schema.affiliations import Affiliation
from schema.catalog import Affiliate, Buyer, Product
from schema.common import Node
from schema.finance import Prepayment, Receipt, StatementEntry, Withdrawal
from schema.lost_sales import LostSale
from schema.producers import Producer
from schema.refunds import Refund
from schema.sales import Sale
from schema.subscriptions import Subscription


@dataclass(frozen=True, slots=True)
class NodeType:
    loader: type[ProducerLoader[int, Any]]
    build: Callable[[Any], Node]
    scope: str | None


NODE_TYPES: dict[str, NodeType] = {
    "Producer": NodeType(ProducerByIdLoader, Producer.from_row, None),
    "Product": NodeType(ProductByIdLoader, Product.from_row, "sales:read"),
    "Buyer": NodeType(BuyerByIdLoader, Buyer.from_row, "sales:read"),
    "Affiliate": NodeType(AffiliateByIdLoader, Affiliate.from_row, "sales:read"),
    "Sale": NodeType(SaleByIdLoader, Sale.from_row, "sales:read"),
    "LostSale": NodeType(LostSaleByIdLoader, LostSale.from_row, "sales:read"),
    "Refund": NodeType(RefundByIdLoader, Refund.from_row, "refunds:read"),
    "Subscription": NodeType(SubscriptionByIdLoader, Subscription.from_row, "subscriptions:read"),
    "Affiliation": NodeType(AffiliationByIdLoader, Affiliation.from_row, "affiliations:read"),
    "StatementEntry": NodeType(StatementEntryByIdLoader, StatementEntry.from_row, "finance:read"),
    "Withdrawal": NodeType(WithdrawalByIdLoader, Withdrawal.from_row, "finance:read"),
    "Prepayment": NodeType(PrepaymentByIdLoader, Prepayment.from_row, "finance:read"),
    "Receipt": NodeType(ReceiptByIdLoader, Receipt.from_row, "finance:read"),
}

NODE_CLASSES: list[type[Node]] = [
    Producer,
    Product,
    Buyer,
    Affiliate,
    Sale,
    LostSale,
    Refund,
    Subscription,
    Affiliation,
]
