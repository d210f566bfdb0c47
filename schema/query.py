"""The root Query type."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.context import Context
from loaders.affiliations import AFFILIATIONS_ORDER, AffiliationFilterSpec
from loaders.catalog import PRODUCTS_ORDER
from loaders.lost_sales import LOST_SALES_ORDER, LostSaleFilterSpec
from loaders.refunds import REFUNDS_ORDER, RefundFilterSpec
from loaders.sales import SaleFilterSpec
from loaders.subscriptions import SUBSCRIPTIONS_ORDER, SubscriptionFilterSpec
from resolvers import affiliations as affiliation_resolvers
from resolvers import catalog as catalog_resolvers
from resolvers import lost_sales as lost_sales_resolvers
from resolvers import node as node_resolvers
from resolvers import overview as overview_resolvers
from resolvers import refunds as refund_resolvers
from resolvers import sales as sales_resolvers
from resolvers import subscriptions as subscription_resolvers
from resolvers import viewer as viewer_resolvers
from resolvers.pagination import Window
from schema.affiliations import Affiliation, AffiliationFilter
from schema.catalog import Product
from schema.common import CurrencyCode, DateRangeInput, Node
from schema.errors import BadUserInput
from schema.finance import FinanceQuery
from schema.ids import from_global_id
from schema.lost_sales import LostSale, LostSaleFilter
from schema.node import NODE_TYPES
from schema.overview import SalesOverview
from schema.pagination import Connection, connection_of
from schema.permissions import require_scope
from schema.producers import Producer
from schema.refunds import Refund, RefundFilter
from schema.reports import ReportsQuery
from schema.sales import OrderDirection, Sale, SaleFilter, SaleOrder, SaleOrderField
from schema.subscriptions import Subscription, SubscriptionFilter, SubscriptionSummary


@strawberry.type
class Query(FinanceQuery, ReportsQuery):
    """Root fields of the sales domains are here; finance and reports compose theirs in."""

    @strawberry.field(description="Any object by its global id; null when there is none (or it is not yours).")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        type_name, pk = from_global_id(id)
        node_type = NODE_TYPES.get(type_name)
        if node_type is None:
            raise BadUserInput(f"Invalid id: {id[:100]!r}")
        if node_type.scope is not None:
            require_scope(info.context.principal, node_type.scope)
        row = await node_resolvers.node_row(info.context, node_type.loader, pk)
        return node_type.build(row) if row is not None else None

    @strawberry.field(description="The producer the API key belongs to.")
    async def viewer(self, info: Info[Context, None]) -> Producer:
        return Producer.from_row(await viewer_resolvers.viewer(info.context))

    @strawberry.field(
        description="The Sales Management card: the last 7 days (or `period`), per currency. Scope: sales:read."
    )
    async def sales_management(
        self,
        info: Info[Context, None],
        currency: CurrencyCode | None = None,
        period: DateRangeInput | None = None,
    ) -> SalesOverview | None:
        require_scope(info.context.principal, "sales:read")
        overview = await overview_resolvers.sales_overview(
            info.context,
            currency.value if currency else None,
            period.from_ if period else None,
            period.to if period else None,
        )
        return SalesOverview.from_overview(overview)

    @strawberry.field(description="The producer's sales, newest first by default. Scope: sales:read.")
    async def sales(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: SaleFilter | None = None,
        order_by: SaleOrder | None = None,
    ) -> Connection[Sale] | None:
        require_scope(info.context.principal, "sales:read")
        context = info.context
        spec = filter.to_spec() if filter else SaleFilterSpec()
        field = order_by.field if order_by else SaleOrderField.CREATED_AT
        direction = order_by.direction if order_by else OrderDirection.DESC
        order = sales_resolvers.sale_order(field.value, direction.value)
        page = await sales_resolvers.sales(context, spec, order, Window(first, after, last, before))
        return connection_of(
            page, Sale.from_row, order[0], order[1], lambda: sales_resolvers.sales_count(context, spec)
        )

    @strawberry.field(description="One sale by its transaction code, or null. Scope: sales:read.")
    async def sale(self, info: Info[Context, None], transaction_code: str) -> Sale | None:
        require_scope(info.context.principal, "sales:read")
        row = await sales_resolvers.sale_by_transaction_code(info.context, transaction_code)
        return Sale.from_row(row) if row else None

    @strawberry.field(
        description="Lost sales, newest first: the last failed attempt per buyer and product. Scope: sales:read."
    )
    async def lost_sales(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: LostSaleFilter | None = None,
    ) -> Connection[LostSale] | None:
        require_scope(info.context.principal, "sales:read")
        context = info.context
        spec = filter.to_spec() if filter else LostSaleFilterSpec()
        page = await lost_sales_resolvers.lost_sales(context, spec, Window(first, after, last, before))
        return connection_of(
            page,
            LostSale.from_row,
            lost_sales_resolvers.LOST_SALES_ORDER_NAME,
            LOST_SALES_ORDER,
            lambda: lost_sales_resolvers.lost_sales_count(context, spec),
        )

    @strawberry.field(description="Refunds, newest request first. Scope: refunds:read.")
    async def refunds(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: RefundFilter | None = None,
    ) -> Connection[Refund] | None:
        require_scope(info.context.principal, "refunds:read")
        context = info.context
        spec = filter.to_spec() if filter else RefundFilterSpec()
        page = await refund_resolvers.refunds(context, spec, Window(first, after, last, before))
        return connection_of(
            page,
            Refund.from_row,
            refund_resolvers.REFUNDS_ORDER_NAME,
            REFUNDS_ORDER,
            lambda: refund_resolvers.refunds_count(context, spec),
        )

    @strawberry.field(description="Subscriptions, newest first. Scope: subscriptions:read.")
    async def subscriptions(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: SubscriptionFilter | None = None,
    ) -> Connection[Subscription] | None:
        require_scope(info.context.principal, "subscriptions:read")
        context = info.context
        spec = filter.to_spec() if filter else SubscriptionFilterSpec()
        page = await subscription_resolvers.subscriptions(context, spec, Window(first, after, last, before))
        return connection_of(
            page,
            Subscription.from_row,
            subscription_resolvers.SUBSCRIPTIONS_ORDER_NAME,
            SUBSCRIPTIONS_ORDER,
            lambda: subscription_resolvers.subscriptions_count(context, spec),
        )

    @strawberry.field(description="Active, new and cancelled subscriptions of a period (default: last 7 days).")
    async def subscription_summary(
        self, info: Info[Context, None], period: DateRangeInput | None = None
    ) -> SubscriptionSummary | None:
        require_scope(info.context.principal, "subscriptions:read")
        dates = (period.from_, period.to) if period else (None, None)
        resolved, rows = await subscription_resolvers.summary(info.context, *dates)
        return SubscriptionSummary.from_rows(resolved, rows)

    @strawberry.field(
        description="Affiliations (applications and active ones), newest first. Scope: affiliations:read."
    )
    async def affiliations(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: AffiliationFilter | None = None,
    ) -> Connection[Affiliation] | None:
        require_scope(info.context.principal, "affiliations:read")
        context = info.context
        spec = filter.to_spec() if filter else AffiliationFilterSpec()
        page = await affiliation_resolvers.affiliations(context, spec, Window(first, after, last, before))
        return connection_of(
            page,
            Affiliation.from_row,
            affiliation_resolvers.AFFILIATIONS_ORDER_NAME,
            AFFILIATIONS_ORDER,
            lambda: affiliation_resolvers.affiliations_count(context, spec),
        )

    @strawberry.field(description="The producer's products, newest first. Scope: sales:read.")
    async def products(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Product] | None:
        require_scope(info.context.principal, "sales:read")
        context = info.context
        page = await catalog_resolvers.products(context, Window(first, after, last, before))
        return connection_of(
            page,
            Product.from_row,
            catalog_resolvers.PRODUCTS_ORDER_NAME,
            PRODUCTS_ORDER,
            lambda: catalog_resolvers.products_count(context),
        )
