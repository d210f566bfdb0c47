"""The root Query type, composed from the domains."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from gateway.context import Context
from resolvers import overview as overview_resolvers
from resolvers import viewer as viewer_resolvers
from schema.common import CurrencyCode, DateRangeInput
from schema.overview import SalesOverview
from schema.producers import Producer


@strawberry.type
class Query:
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
    ) -> SalesOverview:
        overview = await overview_resolvers.sales_overview(
            info.context,
            currency.value if currency else None,
            period.from_ if period else None,
            period.to if period else None,
        )
        return SalesOverview.from_overview(overview)
