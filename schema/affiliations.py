"""Affiliations: an affiliate's application to promote a product, and how it performs."""

from __future__ import annotations

import datetime
import enum
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gateway.context import Context
from loaders.affiliations import AffiliationFilterSpec, AffiliationRow
from resolvers import affiliations as affiliation_resolvers
from resolvers import catalog as catalog_resolvers
from schema.batching import batch_form
from schema.catalog import Affiliate, Product, affiliates_of, products_of
from schema.common import DateRangeInput, Money, Node
from schema.ids import pk_of, to_global_id


@strawberry.enum
class AffiliationStatus(enum.Enum):
    PENDING = "PENDING"
    ACTIVE = "ACTIVE"
    REJECTED = "REJECTED"
    BLOCKED = "BLOCKED"
    CANCELLED = "CANCELLED"


@strawberry.input(description="Every condition given must hold.")
class AffiliationFilter:
    status: list[AffiliationStatus] | None = None
    product_ids: list[strawberry.ID] | None = None
    affiliate_id: strawberry.ID | None = None

    def to_spec(self) -> AffiliationFilterSpec:
        return AffiliationFilterSpec(
            statuses=[status.value for status in self.status] if self.status is not None else None,
            product_ids=[pk_of(i, "Product") for i in self.product_ids] if self.product_ids is not None else None,
            affiliate_id=pk_of(self.affiliate_id, "Affiliate") if self.affiliate_id is not None else None,
        )


@strawberry.type(description="Made sales an affiliation brought in a period.")
class AffiliatePerformance:
    sales: int
    revenue: list[Money] = strawberry.field(description="Gross revenue, one entry per currency.")
    commission: list[Money] = strawberry.field(description="The affiliate's commission, one entry per currency.")


@strawberry.type(description="An affiliate promoting one product. Scope: affiliations:read.")
class Affiliation(Node):
    status: AffiliationStatus
    commission_rate: Decimal = strawberry.field(description='Percent of each sale, e.g. "30.00".')
    applied_at: datetime.datetime
    decided_at: datetime.datetime | None
    row: strawberry.Private[AffiliationRow]

    @classmethod
    def from_row(cls, row: AffiliationRow) -> Affiliation:
        return cls(
            id=strawberry.ID(to_global_id("Affiliation", row.id)),
            status=AffiliationStatus(row.status),
            commission_rate=row.commission_rate,
            applied_at=row.applied_at,
            decided_at=row.decided_at,
            row=row,
        )

    @strawberry.field
    @batch_form(affiliates_of)  # never None here: the column is NOT NULL, and a null would make it step aside
    async def affiliate(self, info: Info[Context, None]) -> Affiliate:
        row = await catalog_resolvers.affiliate(info.context, self.row.affiliate_id)
        assert row is not None
        return Affiliate.from_row(row)

    @strawberry.field
    @batch_form(products_of)
    async def product(self, info: Info[Context, None]) -> Product:
        return Product.from_row(await catalog_resolvers.product(info.context, self.row.product_id))

    @strawberry.field(description="Made sales of this affiliate for this product; default period: the last 30 days.")
    async def performance(
        self, info: Info[Context, None], period: DateRangeInput | None = None
    ) -> AffiliatePerformance:
        rows = await affiliation_resolvers.performance(
            info.context, self.row.id, period.from_ if period else None, period.to if period else None
        )
        return AffiliatePerformance(
            sales=sum(row.sales for row in rows),
            revenue=[Money.of(row.revenue, row.currency) for row in rows],
            commission=[Money.of(row.commission, row.currency) for row in rows],
        )
