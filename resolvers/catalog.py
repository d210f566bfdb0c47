"""Products, buyers and affiliates: the products list, and the relations other rows have to them."""

from __future__ import annotations

from loaders.catalog import PRODUCTS, AffiliateByIdLoader, BuyerByIdLoader, ProductByIdLoader, ProductRow
from loaders.where import Filters
from resolvers.context import Context
from resolvers.lists import ListPage, Window, list_page
from resolvers.relations import Relation

# of any row with the attribute: a sale, a lost sale, a subscription, an affiliation, a receipt
PRODUCT = Relation("Product", ProductByIdLoader, "product_id")
BUYER = Relation("Buyer", BuyerByIdLoader, "buyer_id")
AFFILIATE = Relation("Affiliate", AffiliateByIdLoader, "affiliate_id")


async def products(
    context: Context, filters: Filters, window: Window, order: str | None = None
) -> ListPage[ProductRow]:
    """The producer's products, newest first. Scope: sales:read."""
    return await list_page(context, PRODUCTS, filters, window, scope="sales:read", order=order)
