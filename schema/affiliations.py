"""Affiliations: an affiliate's application to promote a product, how it performs, and the filter of their list."""

from __future__ import annotations

import datetime
from decimal import Decimal

import strawberry
from strawberry.types import Info

from loaders.affiliations import AffiliationRow
from resolvers import affiliations as affiliations_resolvers
from resolvers import catalog as catalog_resolvers
from resolvers.context import Context
from schema.catalog import Affiliate, Product
from schema.common import DateRangeInput, Money, Node
from schema.cost import AGGREGATE, cost
from schema.enums import AffiliationOrderField, AffiliationStatus, OrderDirection
from schema.filters import UPDATED_AT, OrderName, ids_of, updated_since
from schema.relations import relation
from schema.rows import FromRow, node_type


@strawberry.input(description="The order of the list: by one of its moments, either way.")
class AffiliationOrder(OrderName):
    field: AffiliationOrderField
    direction: OrderDirection


@strawberry.input(description="Every condition given must hold.")
class AffiliationFilter:
    status: list[AffiliationStatus] | None = None
    product_ids: list[strawberry.ID] | None = ids_of("Product")
    affiliate_id: strawberry.ID | None = ids_of("Affiliate")
    updated_since: datetime.datetime | None = updated_since()


@strawberry.type(description="Made sales an affiliation brought in a period.")
class AffiliatePerformance:
    sales: int
    revenue: list[Money] = strawberry.field(description="Gross revenue, one entry per currency.")
    commission: list[Money] = strawberry.field(description="The affiliate's commission, one entry per currency.")


@node_type(AffiliationRow)
@strawberry.type(description="An affiliate promoting one product. Scope: affiliations:read.")
class Affiliation(Node, FromRow):
    status: AffiliationStatus
    commission_rate: Decimal = strawberry.field(description='Percent of each sale, e.g. "30.00".')
    applied_at: datetime.datetime
    decided_at: datetime.datetime | None
    updated_at: datetime.datetime = strawberry.field(description=UPDATED_AT)
    row: strawberry.Private[AffiliationRow]

    affiliate: Affiliate = relation(catalog_resolvers.AFFILIATE)
    product: Product = relation(catalog_resolvers.PRODUCT)

    @strawberry.field(
        description="Made sales of this affiliate for this product; default period: the last 30 days.",
        metadata=cost(AGGREGATE),
    )
    async def performance(
        self, info: Info[Context, None], period: DateRangeInput | None = None
    ) -> AffiliatePerformance:
        rows = await affiliations_resolvers.performance(
            info.context, self.row.id, period.from_ if period else None, period.to if period else None
        )
        return AffiliatePerformance(
            sales=sum(row.sales for row in rows),
            revenue=[Money.of(row.revenue, row.currency) for row in rows],
            commission=[Money.of(row.commission, row.currency) for row in rows],
        )
