"""Strategies: every rule fires on the figures that should trigger it and stays silent otherwise."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from loaders.strategies import StrategyFigures
from resolvers import strategies as rules

NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)

# a producer for which no rule fires: one product with an active affiliate, nothing else
QUIET = StrategyFigures(
    made_sales=0,
    lost_sales=0,
    billet_sales=0,
    expired_billet_sales=0,
    lost_expired_billets=0,
    made_brl_sales=0,
    made_brl_pix_sales=0,
    abandoned_checkouts=0,
    unrecovered_abandoned_checkouts=0,
    pending_affiliations=0,
    oldest_pending_applied_at=None,
    active_affiliations=1,
    products=1,
    recent_cancellations=0,
    previous_cancellations=0,
)


def figures(**changes: Any) -> StrategyFigures:
    return dataclasses.replace(QUIET, **changes)


def codes(found: list[rules.Advice]) -> list[str]:
    return [advice.code for advice in found]


def only(code: str, found: list[rules.Advice]) -> rules.Advice:
    matching = [advice for advice in found if advice.code == code]
    assert len(matching) == 1, codes(found)
    return matching[0]


def test_quiet_figures_fire_nothing() -> None:
    assert rules.decide(QUIET, NOW) == []


# ---- HIGH_LOST_SALE_RATE -------------------------------------------------------------------------


def test_high_lost_sale_rate_fires_above_the_threshold() -> None:
    advice = only("HIGH_LOST_SALE_RATE", rules.decide(figures(made_sales=88, lost_sales=32), NOW))
    assert advice.reason == "32 of 120 checkouts were lost (26.7%) in the last 30 days"
    assert advice.priority == 1


@pytest.mark.parametrize(
    ("made", "lost"),
    [(75, 25), (15, 4), (100, 10)],  # exactly 25% is not above it; 19 checkouts are too few; 9.1%
)
def test_high_lost_sale_rate_stays_silent(made: int, lost: int) -> None:
    assert "HIGH_LOST_SALE_RATE" not in codes(rules.decide(figures(made_sales=made, lost_sales=lost), NOW))


# ---- RISING_CANCELLATIONS ------------------------------------------------------------------------


def test_rising_cancellations_fires_when_clearly_above_the_previous_30_days() -> None:
    found = rules.decide(figures(recent_cancellations=9, previous_cancellations=6), NOW)
    assert only("RISING_CANCELLATIONS", found).reason == (
        "9 subscriptions were cancelled in the last 30 days, against 6 in the 30 days before (+50.0%)"
    )
    found = rules.decide(figures(recent_cancellations=5, previous_cancellations=0), NOW)
    assert only("RISING_CANCELLATIONS", found).reason == (
        "5 subscriptions were cancelled in the last 30 days, against none in the 30 days before"
    )


@pytest.mark.parametrize(("recent", "previous"), [(8, 6), (4, 0), (5, 10), (0, 0)])
def test_rising_cancellations_stays_silent(recent: int, previous: int) -> None:
    found = rules.decide(figures(recent_cancellations=recent, previous_cancellations=previous), NOW)
    assert "RISING_CANCELLATIONS" not in codes(found)


# ---- EXPIRED_BILLETS ------------------------------------------------------------------------------


def test_expired_billets_fires_on_many_expired_billets() -> None:
    found = rules.decide(figures(billet_sales=30, expired_billet_sales=6, lost_expired_billets=4), NOW)
    assert only("EXPIRED_BILLETS", found).reason == "10 of 34 billets expired unpaid (29.4%) in the last 30 days"


@pytest.mark.parametrize(
    ("billets", "expired", "lost"),
    [(100, 15, 4), (8, 4, 0), (0, 0, 0)],  # 19.0%; only 4 expired; no billets at all
)
def test_expired_billets_stays_silent(billets: int, expired: int, lost: int) -> None:
    found = rules.decide(figures(billet_sales=billets, expired_billet_sales=expired, lost_expired_billets=lost), NOW)
    assert "EXPIRED_BILLETS" not in codes(found)


# ---- RECOVER_ABANDONED_CHECKOUTS -------------------------------------------------------------------


def test_recover_abandoned_checkouts_fires_on_many_unrecovered() -> None:
    found = rules.decide(figures(abandoned_checkouts=14, unrecovered_abandoned_checkouts=10), NOW)
    assert only("RECOVER_ABANDONED_CHECKOUTS", found).reason == (
        "10 of 14 abandoned checkouts of the last 30 days were not recovered"
    )


def test_recover_abandoned_checkouts_stays_silent_when_most_were_recovered() -> None:
    found = rules.decide(figures(abandoned_checkouts=40, unrecovered_abandoned_checkouts=9), NOW)
    assert "RECOVER_ABANDONED_CHECKOUTS" not in codes(found)


# ---- PENDING_AFFILIATIONS --------------------------------------------------------------------------


def test_pending_affiliations_fires_with_the_oldest_wait() -> None:
    found = rules.decide(
        figures(pending_affiliations=3, oldest_pending_applied_at=NOW - timedelta(days=12, hours=5)), NOW
    )
    assert only("PENDING_AFFILIATIONS", found).reason == (
        "3 affiliation applications are waiting for a decision, the oldest for 12 days"
    )
    found = rules.decide(figures(pending_affiliations=1, oldest_pending_applied_at=NOW - timedelta(hours=30)), NOW)
    assert only("PENDING_AFFILIATIONS", found).reason == (
        "1 affiliation application is waiting for a decision, the oldest for 1 day"
    )


def test_pending_affiliations_stays_silent_without_applications() -> None:
    assert "PENDING_AFFILIATIONS" not in codes(rules.decide(figures(pending_affiliations=0), NOW))


# ---- LOW_PIX_ADOPTION -------------------------------------------------------------------------------


def test_low_pix_adoption_fires_below_the_threshold() -> None:
    found = rules.decide(figures(made_brl_sales=50, made_brl_pix_sales=2), NOW)
    assert (
        only("LOW_PIX_ADOPTION", found).reason == "2 of 50 sales in BRL were paid with Pix (4.0%) in the last 30 days"
    )


@pytest.mark.parametrize(("brl", "pix"), [(40, 6), (19, 0), (0, 0)])  # exactly 15%; too few BRL sales
def test_low_pix_adoption_stays_silent(brl: int, pix: int) -> None:
    assert "LOW_PIX_ADOPTION" not in codes(rules.decide(figures(made_brl_sales=brl, made_brl_pix_sales=pix), NOW))


# ---- NO_AFFILIATES -----------------------------------------------------------------------------------


def test_no_affiliates_fires_without_an_active_affiliation() -> None:
    found = rules.decide(figures(active_affiliations=0, products=3), NOW)
    assert only("NO_AFFILIATES", found).reason == "You have 3 products and no active affiliate"


@pytest.mark.parametrize(("active", "products"), [(1, 3), (0, 0)])
def test_no_affiliates_stays_silent(active: int, products: int) -> None:
    found = rules.decide(figures(active_affiliations=active, products=products), NOW)
    assert "NO_AFFILIATES" not in codes(found)


def test_strategies_are_sorted_by_priority() -> None:
    everything = figures(
        made_sales=20,
        lost_sales=14,
        billet_sales=6,
        expired_billet_sales=6,
        lost_expired_billets=2,
        made_brl_sales=20,
        abandoned_checkouts=12,
        unrecovered_abandoned_checkouts=12,
        pending_affiliations=1,
        oldest_pending_applied_at=NOW,
        active_affiliations=0,
        recent_cancellations=6,
        previous_cancellations=2,
    )
    found = rules.decide(everything, NOW)
    assert codes(found) == [
        "HIGH_LOST_SALE_RATE",
        "RISING_CANCELLATIONS",
        "EXPIRED_BILLETS",
        "RECOVER_ABANDONED_CHECKOUTS",
        "PENDING_AFFILIATIONS",
        "LOW_PIX_ADOPTION",
        "NO_AFFILIATES",
    ]
    assert [advice.priority for advice in found] == list(range(1, 8))
