"""The benchmark's queries: Q1-Q6 for our API and their PostGraphile equivalents, and one canonical form.

Each query has a document for our API (the gateway, the no-batching gateway and the floor all answer it; the
floor dispatches on `operationName`), a document for PostGraphile over the same tables (aggregates through the
SQL functions of `bench/postgraphile/schema.sql`), the variables of both, and a normaliser that maps
PostGraphile's answer to the shape of ours. `canonical()` then turns either into one form: global ids become
primary keys, instants become UTC, cursors are dropped (each API has its own), so that equal work gives equal
data.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

JSON = Any
Producers = Literal["random", "large"]

DATETIME_FIELDS = frozenset(
    {
        "createdAt",
        "approvedAt",
        "requestedAt",
        "resolvedAt",
        "startedAt",
        "cancelledAt",
        "nextChargeAt",
        "appliedAt",
        "decidedAt",
        "asOf",
    }
)
CURSOR_FIELDS = frozenset({"cursor", "startCursor", "endCursor"})


@dataclass(frozen=True, slots=True)
class BenchQuery:
    name: str  # Q1 ... Q6
    operation: str  # the operation name (the floor dispatches on it)
    title: str
    gateway: str  # our document
    postgraphile: str  # PostGraphile's document
    producers: Producers  # drawn at random per request, or always the large producer
    gateway_variables: Callable[[datetime.date], dict[str, JSON]]  # from the dataset's anchor day
    postgraphile_variables: Callable[[datetime.date], dict[str, JSON]]
    from_postgraphile: Callable[[JSON, dict[str, JSON]], JSON]  # PostGraphile's data -> our shape

    def body(self, flavour: Literal["gateway", "postgraphile"], anchor: datetime.date) -> dict[str, JSON]:
        """The JSON body of a request (the same for every producer: the key tells who asks)."""
        if flavour == "gateway":
            return {"query": self.gateway, "variables": self.gateway_variables(anchor), "operationName": self.operation}
        return {
            "query": self.postgraphile,
            "variables": self.postgraphile_variables(anchor),
            "operationName": self.operation,
        }


def _days(anchor: datetime.date, count: int) -> tuple[str, str]:
    """The `count` whole days before the anchor day (the data ends at the anchor's midnight)."""
    return (anchor - datetime.timedelta(days=count)).isoformat(), (anchor - datetime.timedelta(days=1)).isoformat()


def _period(count: int) -> Callable[[datetime.date], dict[str, JSON]]:
    def variables(anchor: datetime.date) -> dict[str, JSON]:
        first, last = _days(anchor, count)
        return {"period": {"from": first, "to": last}}

    return variables


def _pg_period(count: int) -> Callable[[datetime.date], dict[str, JSON]]:
    def variables(anchor: datetime.date) -> dict[str, JSON]:
        first, last = _days(anchor, count)
        return {"firstDay": first, "lastDay": last}

    return variables


def _none(anchor: datetime.date) -> dict[str, JSON]:
    return {}


CARD_DAYS = 7
REPORT_DAYS = 90


# ---- helpers for PostGraphile's shapes ------------------------------------------------------------------------


def _money(amount: JSON, currency: JSON) -> dict[str, JSON]:
    return {"amount": amount, "currency": currency}


def _pk(node: dict[str, JSON]) -> int:
    return int(node["id"])


def _int(value: JSON) -> int:
    return int(value)


def _nonzero(amount: str) -> bool:
    return Decimal(amount) != 0


# ---- Q1 -------------------------------------------------------------------------------------------------------

Q1_GATEWAY = "query Viewer { viewer { id name email timeZone defaultCurrency } }"
Q1_POSTGRAPHILE = "query Viewer { allProducers { nodes { id name email timeZone defaultCurrency } } }"


def _q1(data: JSON, variables: dict[str, JSON]) -> JSON:
    (node,) = data["allProducers"]["nodes"]
    return {
        "viewer": {
            "id": _pk(node),
            "name": node["name"],
            "email": node["email"],
            "timeZone": node["timeZone"],
            "defaultCurrency": node["defaultCurrency"],
        }
    }


# ---- Q2 -------------------------------------------------------------------------------------------------------

_MONEY = "{ amount currency }"
Q2_GATEWAY = f"""query Card($period: DateRangeInput!) {{
  salesManagement(period: $period) {{
    period {{ from to }}
    sales {{ currency count grossRevenue {_MONEY} netRevenue {_MONEY} }}
    lostSales {{ count recoveredCount potentialRevenue {_MONEY} }}
  }}
  balances {{ currency available {_MONEY} pending {_MONEY} blocked {_MONEY} total {_MONEY} }}
}}"""
Q2_POSTGRAPHILE = """query Card($firstDay: Date!, $lastDay: Date!) {
  cardSales: cardSalesList(firstDay: $firstDay, lastDay: $lastDay) { currency count grossRevenue netRevenue }
  cardLostSales: cardLostSalesList(firstDay: $firstDay, lastDay: $lastDay) {
    currency count recoveredCount potentialRevenue
  }
  balances: balancesList { currency available pending blocked total }
}"""


def _q2(data: JSON, variables: dict[str, JSON]) -> JSON:
    lost = data["cardLostSales"]
    return {
        "salesManagement": {
            "period": {"from": variables["firstDay"], "to": variables["lastDay"]},
            "sales": [
                {
                    "currency": row["currency"],
                    "count": _int(row["count"]),
                    "grossRevenue": _money(row["grossRevenue"], row["currency"]),
                    "netRevenue": _money(row["netRevenue"], row["currency"]),
                }
                for row in data["cardSales"]
            ],
            "lostSales": {
                "count": sum(_int(row["count"]) for row in lost),
                "recoveredCount": sum(_int(row["recoveredCount"]) for row in lost),
                "potentialRevenue": [
                    _money(row["potentialRevenue"], row["currency"])
                    for row in lost
                    if _nonzero(row["potentialRevenue"])
                ],
            },
        },
        "balances": [
            {
                "currency": row["currency"],
                **{part: _money(row[part], row["currency"]) for part in ("available", "pending", "blocked", "total")},
            }
            for row in data["balances"]
        ],
    }


# ---- Q3 -------------------------------------------------------------------------------------------------------

Q3_GATEWAY = f"""query SalesPage {{
  sales(first: 50) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id transactionCode status createdAt
      grossAmount {_MONEY} fees {_MONEY} taxes {_MONEY} affiliateCommission {_MONEY} netAmount {_MONEY}
      product {{ id name kind price {_MONEY} }}
      buyer {{ id name email }}
      affiliate {{ id name email }}
    }}
  }}
}}"""
Q3_POSTGRAPHILE = """query SalesPage {
  allSales(first: 50, orderBy: [CREATED_AT_DESC, ID_DESC]) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id transactionCode status createdAt currency grossAmount fees taxes affiliateCommission netAmount
      product: productByProducerIdAndProductId { id name kind price currency }
      buyer: buyerByProducerIdAndBuyerId { id name email }
      affiliate: affiliateByProducerIdAndAffiliateId { id name email }
    }
  }
}"""

_SALE_MONEY = ("grossAmount", "fees", "taxes", "affiliateCommission", "netAmount")


def _person(node: JSON, *fields: str) -> JSON:
    if node is None:
        return None
    return {"id": _pk(node), **{field: node[field] for field in fields}}


def _q3(data: JSON, variables: dict[str, JSON]) -> JSON:
    connection = data["allSales"]
    return {
        "sales": {
            "pageInfo": {"hasNextPage": connection["pageInfo"]["hasNextPage"]},
            "nodes": [
                {
                    "id": _pk(sale),
                    "transactionCode": sale["transactionCode"],
                    "status": sale["status"],
                    "createdAt": sale["createdAt"],
                    **{field: _money(sale[field], sale["currency"]) for field in _SALE_MONEY},
                    "product": {
                        "id": _pk(sale["product"]),
                        "name": sale["product"]["name"],
                        "kind": sale["product"]["kind"],
                        "price": _money(sale["product"]["price"], sale["product"]["currency"]),
                    },
                    "buyer": _person(sale["buyer"], "name", "email"),
                    "affiliate": _person(sale["affiliate"], "name", "email"),
                }
                for sale in connection["nodes"]
            ],
        }
    }


# ---- Q4 -------------------------------------------------------------------------------------------------------

Q4_GATEWAY = f"""query Dashboard {{
  viewer {{ name timeZone defaultCurrency }}
  sales(first: 10) {{
    nodes {{
      id transactionCode status createdAt grossAmount {_MONEY}
      product {{ id name }}
      buyer {{ id name email }}
      refunds {{ id status requestedAt amount {_MONEY} }}
    }}
  }}
  refunds(first: 10) {{
    nodes {{
      id status reason requestedAt amount {_MONEY}
      sale {{ id transactionCode product {{ id name }} }}
    }}
  }}
  lostSales(first: 10) {{
    nodes {{ id reason createdAt potentialRevenue {_MONEY} product {{ id name }} buyer {{ id name email }} }}
  }}
  subscriptions(first: 10) {{
    nodes {{
      id planName status startedAt price {_MONEY}
      subscriber {{ id name email }}
      product {{ id name }}
      charges(first: 3) {{ nodes {{ id transactionCode status createdAt grossAmount {_MONEY} }} }}
    }}
  }}
  affiliations(first: 10) {{
    nodes {{ id status commissionRate appliedAt affiliate {{ id name email }} product {{ id name }} }}
  }}
}}"""
Q4_POSTGRAPHILE = """query Dashboard {
  allProducers { nodes { name timeZone defaultCurrency } }
  allSales(first: 10, orderBy: [CREATED_AT_DESC, ID_DESC]) {
    nodes {
      id transactionCode status createdAt grossAmount currency
      product: productByProducerIdAndProductId { id name }
      buyer: buyerByProducerIdAndBuyerId { id name email }
      refunds: refundsByProducerIdAndSaleId(orderBy: [REQUESTED_AT_ASC, ID_ASC]) {
        nodes { id status requestedAt amount currency }
      }
    }
  }
  allRefunds(first: 10, orderBy: [REQUESTED_AT_DESC, ID_DESC]) {
    nodes {
      id status reason requestedAt amount currency
      sale: saleByProducerIdAndSaleId { id transactionCode product: productByProducerIdAndProductId { id name } }
    }
  }
  lastLostSales(first: 10, orderBy: [CREATED_AT_DESC, ID_DESC]) {
    nodes {
      id reason createdAt amount currency
      product: productByProducerIdAndProductId { id name }
      buyer: buyerByProducerIdAndBuyerId { id name email }
    }
  }
  allSubscriptions(first: 10, orderBy: [STARTED_AT_DESC, ID_DESC]) {
    nodes {
      id planName status startedAt price currency
      subscriber: buyerByProducerIdAndBuyerId { id name email }
      product: productByProducerIdAndProductId { id name }
      charges: salesByProducerIdAndSubscriptionId(first: 3, orderBy: [CREATED_AT_DESC, ID_DESC]) {
        nodes { id transactionCode status createdAt grossAmount currency }
      }
    }
  }
  allAffiliations(first: 10, orderBy: [APPLIED_AT_DESC, ID_DESC]) {
    nodes {
      id status commissionRate appliedAt
      affiliate: affiliateByProducerIdAndAffiliateId { id name email }
      product: productByProducerIdAndProductId { id name }
    }
  }
}"""


def _q4(data: JSON, variables: dict[str, JSON]) -> JSON:
    (producer,) = data["allProducers"]["nodes"]
    return {
        "viewer": producer,
        "sales": {
            "nodes": [
                {
                    "id": _pk(sale),
                    "transactionCode": sale["transactionCode"],
                    "status": sale["status"],
                    "createdAt": sale["createdAt"],
                    "grossAmount": _money(sale["grossAmount"], sale["currency"]),
                    "product": _person(sale["product"], "name"),
                    "buyer": _person(sale["buyer"], "name", "email"),
                    "refunds": [
                        {
                            "id": _pk(refund),
                            "status": refund["status"],
                            "requestedAt": refund["requestedAt"],
                            "amount": _money(refund["amount"], refund["currency"]),
                        }
                        for refund in sale["refunds"]["nodes"]
                    ],
                }
                for sale in data["allSales"]["nodes"]
            ]
        },
        "refunds": {
            "nodes": [
                {
                    "id": _pk(refund),
                    "status": refund["status"],
                    "reason": refund["reason"],
                    "requestedAt": refund["requestedAt"],
                    "amount": _money(refund["amount"], refund["currency"]),
                    "sale": {
                        "id": _pk(refund["sale"]),
                        "transactionCode": refund["sale"]["transactionCode"],
                        "product": _person(refund["sale"]["product"], "name"),
                    },
                }
                for refund in data["allRefunds"]["nodes"]
            ]
        },
        "lostSales": {
            "nodes": [
                {
                    "id": _pk(lost),
                    "reason": lost["reason"],
                    "createdAt": lost["createdAt"],
                    "potentialRevenue": _money(lost["amount"], lost["currency"]),
                    "product": _person(lost["product"], "name"),
                    "buyer": _person(lost["buyer"], "name", "email"),
                }
                for lost in data["lastLostSales"]["nodes"]
            ]
        },
        "subscriptions": {
            "nodes": [
                {
                    "id": _pk(subscription),
                    "planName": subscription["planName"],
                    "status": subscription["status"],
                    "startedAt": subscription["startedAt"],
                    "price": _money(subscription["price"], subscription["currency"]),
                    "subscriber": _person(subscription["subscriber"], "name", "email"),
                    "product": _person(subscription["product"], "name"),
                    "charges": {
                        "nodes": [
                            {
                                "id": _pk(charge),
                                "transactionCode": charge["transactionCode"],
                                "status": charge["status"],
                                "createdAt": charge["createdAt"],
                                "grossAmount": _money(charge["grossAmount"], charge["currency"]),
                            }
                            for charge in subscription["charges"]["nodes"]
                        ]
                    },
                }
                for subscription in data["allSubscriptions"]["nodes"]
            ]
        },
        "affiliations": {
            "nodes": [
                {
                    "id": _pk(affiliation),
                    "status": affiliation["status"],
                    "commissionRate": affiliation["commissionRate"],
                    "appliedAt": affiliation["appliedAt"],
                    "affiliate": _person(affiliation["affiliate"], "name", "email"),
                    "product": _person(affiliation["product"], "name"),
                }
                for affiliation in data["allAffiliations"]["nodes"]
            ]
        },
    }


# ---- Q5 -------------------------------------------------------------------------------------------------------

Q5_GATEWAY = f"""query SalesScalars {{
  sales(first: 100) {{
    nodes {{
      id transactionCode status offerCode paymentMethod installments device source recovered
      grossAmount {_MONEY} fees {_MONEY} taxes {_MONEY} affiliateCommission {_MONEY} netAmount {_MONEY}
      createdAt approvedAt
    }}
  }}
}}"""
Q5_POSTGRAPHILE = """query SalesScalars {
  allSales(first: 100, orderBy: [CREATED_AT_DESC, ID_DESC]) {
    nodes {
      id transactionCode status offerCode paymentMethod installments device source recovered
      currency grossAmount fees taxes affiliateCommission netAmount createdAt approvedAt
    }
  }
}"""

_SALE_SCALARS = ("transactionCode", "status", "offerCode", "paymentMethod", "installments", "device", "source")


def _q5(data: JSON, variables: dict[str, JSON]) -> JSON:
    return {
        "sales": {
            "nodes": [
                {
                    "id": _pk(sale),
                    **{field: sale[field] for field in _SALE_SCALARS},
                    "recovered": sale["recovered"],
                    **{field: _money(sale[field], sale["currency"]) for field in _SALE_MONEY},
                    "createdAt": sale["createdAt"],
                    "approvedAt": sale["approvedAt"],
                }
                for sale in data["allSales"]["nodes"]
            ]
        }
    }


# ---- Q6 -------------------------------------------------------------------------------------------------------

Q6_GATEWAY = f"""query Reports($period: DateRangeInput!) {{
  reports {{
    paymentMethods(period: $period) {{ paymentMethod sales revenue {_MONEY} share }}
    revenueByDevice(period: $period) {{ device sales revenue {_MONEY} }}
    purchaseRecovery(period: $period) {{ lost recovered recoveryRate recoveredRevenue {_MONEY} }}
    productRevenue(period: $period) {{
      product {{ id name }} sales grossRevenue {_MONEY} netRevenue {_MONEY} refunds
    }}
    promotedProducts(period: $period) {{
      product {{ id name }} affiliates sales revenue {_MONEY} commission {_MONEY}
    }}
    revenueOverTime(period: $period, bucket: WEEK) {{ start sales grossRevenue {_MONEY} }}
    trafficSources(period: $period) {{ source sales lostSales conversionRate revenue {_MONEY} }}
  }}
}}"""
Q6_POSTGRAPHILE = """query Reports($firstDay: Date!, $lastDay: Date!) {
  reportPaymentMethods: reportPaymentMethodsList(firstDay: $firstDay, lastDay: $lastDay) {
    paymentMethod currency sales revenue share
  }
  reportRevenueByDevice: reportRevenueByDeviceList(firstDay: $firstDay, lastDay: $lastDay) {
    device currency sales revenue
  }
  reportPurchaseRecovery: reportPurchaseRecoveryList(firstDay: $firstDay, lastDay: $lastDay) {
    lost recovered recoveryRate currency revenue
  }
  reportProductRevenue: reportProductRevenueList(firstDay: $firstDay, lastDay: $lastDay) {
    productId productName currency sales grossRevenue netRevenue refunds
  }
  reportPromotedProducts: reportPromotedProductsList(firstDay: $firstDay, lastDay: $lastDay) {
    productId productName affiliates currency sales revenue commission
  }
  reportRevenueOverTime: reportRevenueOverTimeList(firstDay: $firstDay, lastDay: $lastDay, bucket: "WEEK") {
    start currency sales grossRevenue
  }
  reportTrafficSources: reportTrafficSourcesList(firstDay: $firstDay, lastDay: $lastDay) {
    source sales lostSales conversionRate currency revenue
  }
}"""


def _q6(data: JSON, variables: dict[str, JSON]) -> JSON:
    recovery = data["reportPurchaseRecovery"]
    promoted: dict[int, JSON] = {}
    for row in data["reportPromotedProducts"]:
        product_id = int(row["productId"])
        entry = promoted.setdefault(
            product_id,
            {
                "product": {"id": product_id, "name": row["productName"]},
                "affiliates": _int(row["affiliates"]),
                "sales": 0,
                "revenue": [],
                "commission": [],
            },
        )
        entry["sales"] += _int(row["sales"])
        entry["revenue"].append(_money(row["revenue"], row["currency"]))
        entry["commission"].append(_money(row["commission"], row["currency"]))
    sources: dict[str, JSON] = {}
    for row in data["reportTrafficSources"]:
        source = sources.setdefault(
            row["source"],
            {
                "source": row["source"],
                "sales": _int(row["sales"]),
                "lostSales": _int(row["lostSales"]),
                "conversionRate": row["conversionRate"],
                "revenue": [],
            },
        )
        if row["currency"] is not None and row["revenue"] is not None:
            source["revenue"].append(_money(row["revenue"], row["currency"]))
    return {
        "reports": {
            "paymentMethods": [
                {
                    "paymentMethod": row["paymentMethod"],
                    "sales": _int(row["sales"]),
                    "revenue": _money(row["revenue"], row["currency"]),
                    "share": row["share"],
                }
                for row in data["reportPaymentMethods"]
            ],
            "revenueByDevice": [
                {
                    "device": row["device"],
                    "sales": _int(row["sales"]),
                    "revenue": _money(row["revenue"], row["currency"]),
                }
                for row in data["reportRevenueByDevice"]
            ],
            "purchaseRecovery": {
                "lost": _int(recovery[0]["lost"]),
                "recovered": _int(recovery[0]["recovered"]),
                "recoveryRate": recovery[0]["recoveryRate"],
                "recoveredRevenue": [
                    _money(row["revenue"], row["currency"]) for row in recovery if row["currency"] is not None
                ],
            },
            "productRevenue": [
                {
                    "product": {"id": int(row["productId"]), "name": row["productName"]},
                    "sales": _int(row["sales"]),
                    "grossRevenue": _money(row["grossRevenue"], row["currency"]),
                    "netRevenue": _money(row["netRevenue"], row["currency"]),
                    "refunds": _int(row["refunds"]),
                }
                for row in data["reportProductRevenue"]
            ],
            "promotedProducts": list(promoted.values()),
            "revenueOverTime": [
                {
                    "start": row["start"],
                    "sales": _int(row["sales"]),
                    "grossRevenue": _money(row["grossRevenue"], row["currency"]),
                }
                for row in data["reportRevenueOverTime"]
            ],
            "trafficSources": list(sources.values()),
        }
    }


QUERIES: dict[str, BenchQuery] = {
    query.name: query
    for query in (
        BenchQuery("Q1", "Viewer", "viewer", Q1_GATEWAY, Q1_POSTGRAPHILE, "random", _none, _none, _q1),
        BenchQuery(
            "Q2",
            "Card",
            f"salesManagement ({CARD_DAYS} days) + balances",
            Q2_GATEWAY,
            Q2_POSTGRAPHILE,
            "random",
            _period(CARD_DAYS),
            _pg_period(CARD_DAYS),
            _q2,
        ),
        BenchQuery(
            "Q3",
            "SalesPage",
            "sales(first: 50) + product, buyer, affiliate",
            Q3_GATEWAY,
            Q3_POSTGRAPHILE,
            "random",
            _none,
            _none,
            _q3,
        ),
        BenchQuery(
            "Q4", "Dashboard", "dashboard: 5 lists, nested", Q4_GATEWAY, Q4_POSTGRAPHILE, "random", _none, _none, _q4
        ),
        BenchQuery(
            "Q5",
            "SalesScalars",
            "sales(first: 100), every scalar",
            Q5_GATEWAY,
            Q5_POSTGRAPHILE,
            "random",
            _none,
            _none,
            _q5,
        ),
        BenchQuery(
            "Q6",
            "Reports",
            f"reports over {REPORT_DAYS} days, large producer",
            Q6_GATEWAY,
            Q6_POSTGRAPHILE,
            "large",
            _period(REPORT_DAYS),
            _pg_period(REPORT_DAYS),
            _q6,
        ),
    )
}


# ---- the canonical form ---------------------------------------------------------------------------------------


def _decoded_id(value: JSON) -> JSON:
    """A global id ("Type:pk" in base64) as its primary key; anything else as it is."""
    if not isinstance(value, str):
        return value
    try:
        type_name, _, pk = base64.b64decode(value, validate=True).decode().partition(":")
        return int(pk) if type_name.isalpha() else value
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return value


def _instant(value: JSON) -> JSON:
    if not isinstance(value, str):
        return value
    return datetime.datetime.fromisoformat(value).astimezone(datetime.UTC).isoformat()


def canonical(data: JSON) -> JSON:
    """Ids as primary keys, instants in UTC, without cursors: the form every candidate's answer is compared in."""
    if isinstance(data, list):
        return [canonical(item) for item in data]
    if not isinstance(data, dict):
        return data
    result = {}
    for key, value in data.items():
        if key in CURSOR_FIELDS:
            continue
        if key == "id":
            result[key] = _decoded_id(value)
        elif key in DATETIME_FIELDS:
            result[key] = _instant(value)
        else:
            result[key] = canonical(value)
    return result


def normalise(
    query: BenchQuery, flavour: Literal["gateway", "postgraphile"], body: JSON, anchor: datetime.date
) -> JSON:
    """The canonical data of a response body; raises ValueError when it has errors or no data."""
    if not isinstance(body, dict) or body.get("errors") or not isinstance(body.get("data"), dict):
        raise ValueError(f"{query.name}: not a successful answer: {str(body)[:2000]}")
    data = body["data"]
    if flavour == "postgraphile":
        data = query.from_postgraphile(data, query.postgraphile_variables(anchor))
    return canonical(data)
