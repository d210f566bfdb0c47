"""The root Query type: the root fields of every domain, composed in the order of the published schema."""

from __future__ import annotations

import strawberry

from schema.affiliations import AffiliationsQuery
from schema.catalog import CatalogQuery
from schema.finance.ledger import LedgerQuery
from schema.finance.payouts import PayoutsQuery
from schema.finance.receipts import ReceiptsQuery
from schema.lost_sales import LostSalesQuery
from schema.node import NodeQuery
from schema.overview import OverviewQuery
from schema.producers import ProducersQuery
from schema.refunds import RefundsQuery
from schema.reports import ReportsQuery
from schema.sales import SalesQuery
from schema.strategies import StrategiesQuery
from schema.subscriptions import SubscriptionsQuery


@strawberry.type
class Query(
    LedgerQuery,
    PayoutsQuery,
    ReceiptsQuery,
    ReportsQuery,
    StrategiesQuery,
    NodeQuery,
    ProducersQuery,
    OverviewQuery,
    SalesQuery,
    LostSalesQuery,
    RefundsQuery,
    SubscriptionsQuery,
    AffiliationsQuery,
    CatalogQuery,
):
    """Every read of the API."""
