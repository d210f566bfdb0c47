"""The producer's own figures that the recommended strategies are decided from: one statement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from loaders.database import TenantDatabase
from loaders.lost_sales import LAST_ATTEMPT
from loaders.sales import MADE_STATUSES


@dataclass(frozen=True, slots=True)
class StrategyFigures:
    """Counts over a recent window [recent_start, end), and a few that have no window.

    Lost sales are counted by the rule: the last failed attempt per buyer and product, in the window.
    """

    made_sales: int  # APPROVED or COMPLETE, created in the window, any currency
    lost_sales: int
    billet_sales: int  # sales paid by billet created in the window, any status
    expired_billet_sales: int  # of those, in status EXPIRED
    lost_expired_billets: int  # lost sales with reason BILLET_EXPIRED
    made_brl_sales: int
    made_brl_pix_sales: int
    abandoned_checkouts: int  # lost sales with reason ABANDONED_CHECKOUT
    unrecovered_abandoned_checkouts: int  # of those, without a recovering sale
    pending_affiliations: int  # waiting for a decision now, whenever they applied
    oldest_pending_applied_at: datetime | None
    active_affiliations: int  # now
    products: int
    recent_cancellations: int  # subscriptions cancelled in the window
    previous_cancellations: int  # subscriptions cancelled in [previous_start, recent_start)


async def strategy_figures(
    db: TenantDatabase, previous_start: datetime, recent_start: datetime, end: datetime
) -> StrategyFigures:
    row = await db.fetchrow(
        f"""
        with recent_sales as (
            select count(*) filter (where status = any($5::text[])) as made_sales,
                   count(*) filter (where payment_method = 'BILLET') as billet_sales,
                   count(*) filter (where payment_method = 'BILLET' and status = 'EXPIRED') as expired_billet_sales,
                   count(*) filter (where status = any($5::text[]) and currency = 'BRL') as made_brl_sales,
                   count(*) filter (where status = any($5::text[]) and currency = 'BRL' and payment_method = 'PIX')
                       as made_brl_pix_sales
            from sales
            where producer_id = $1 and created_at >= $3 and created_at < $4
        ),
        recent_lost as (
            select count(*) as lost_sales,
                   count(*) filter (where reason = 'BILLET_EXPIRED') as lost_expired_billets,
                   count(*) filter (where reason = 'ABANDONED_CHECKOUT') as abandoned_checkouts,
                   count(*) filter (where reason = 'ABANDONED_CHECKOUT' and recovered_sale_id is null)
                       as unrecovered_abandoned_checkouts
            from lost_sales l
            where l.producer_id = $1 and l.created_at >= $3 and l.created_at < $4 and {LAST_ATTEMPT}
        ),
        affiliation_counts as (
            select count(*) filter (where status = 'PENDING') as pending_affiliations,
                   min(applied_at) filter (where status = 'PENDING') as oldest_pending_applied_at,
                   count(*) filter (where status = 'ACTIVE') as active_affiliations
            from affiliations
            where producer_id = $1
        ),
        product_count as (
            select count(*) as products from products where producer_id = $1
        ),
        cancellations as (
            select count(*) filter (where changed_at >= $3) as recent_cancellations,
                   count(*) filter (where changed_at < $3) as previous_cancellations
            from subscription_status_changes
            where producer_id = $1 and status like 'CANCELLED%' and changed_at >= $2 and changed_at < $4
        )
        select * from recent_sales, recent_lost, affiliation_counts, product_count, cancellations
        """,
        db.producer_id,
        previous_start,
        recent_start,
        end,
        MADE_STATUSES,
    )
    assert row is not None  # aggregates without group by always give one row
    return StrategyFigures(**row)
