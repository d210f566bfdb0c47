"""Recommended strategies: rules over the producer's own figures, decided by pure functions.

Each rule reads `StrategyFigures` (counted over the last 30 days in the producer's time zone, unless a
figure says otherwise) and returns an `Advice` whose reason quotes the figures that triggered it, or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from loaders.strategies import StrategyFigures, strategy_figures
from resolvers.context import Context
from resolvers.periods import period_of
from resolvers.producers import viewer
from resolvers.scopes import require_scope

WINDOW_DAYS = 30

# HIGH_LOST_SALE_RATE: lost / (made + lost) above this percent, once there are enough checkouts to judge
LOST_SALE_RATE_THRESHOLD = Decimal(25)
LOST_SALE_RATE_MIN_CHECKOUTS = 20
# EXPIRED_BILLETS: at least this many expired billets, and at least this percent of the billets issued
EXPIRED_BILLETS_MIN = 5
EXPIRED_BILLETS_RATE_THRESHOLD = Decimal(20)
# PENDING_AFFILIATIONS: at least this many applications waiting for a decision
PENDING_AFFILIATIONS_MIN = 1
# RISING_CANCELLATIONS: at least this many cancellations, and at least this percent more than the 30 days before
RISING_CANCELLATIONS_MIN = 5
RISING_CANCELLATIONS_GROWTH = Decimal(50)
# NO_AFFILIATES: no active affiliation while the producer has at least this many products
NO_AFFILIATES_MIN_PRODUCTS = 1
# LOW_PIX_ADOPTION: Pix share of made BRL sales below this percent, once there are enough BRL sales
LOW_PIX_SHARE_THRESHOLD = Decimal(15)
LOW_PIX_MIN_BRL_SALES = 20
# RECOVER_ABANDONED_CHECKOUTS: at least this many abandoned checkouts not recovered
UNRECOVERED_ABANDONED_CHECKOUTS_MIN = 10


@dataclass(frozen=True, slots=True)
class Advice:
    code: str
    title: str
    description: str
    priority: int  # 1 = most urgent
    reason: str


def percent(part: int, whole: int) -> Decimal:
    """part / whole in percent, exact (Decimal); 0 when whole is 0."""
    if whole == 0:
        return Decimal(0)
    return Decimal(100) * Decimal(part) / Decimal(whole)


def shown(value: Decimal) -> str:
    """A percentage as people read it: one decimal, half up ("26.7")."""
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def high_lost_sale_rate(figures: StrategyFigures, now: datetime) -> Advice | None:
    checkouts = figures.made_sales + figures.lost_sales
    rate = percent(figures.lost_sales, checkouts)
    if checkouts < LOST_SALE_RATE_MIN_CHECKOUTS or rate <= LOST_SALE_RATE_THRESHOLD:
        return None
    return Advice(
        code="HIGH_LOST_SALE_RATE",
        title="Many checkouts end in a lost sale",
        description="Review the checkout: offer more payment methods and installments, simplify the form, "
        "and follow up on lost sales with a recovery message.",
        priority=1,
        reason=f"{figures.lost_sales} of {checkouts} checkouts were lost ({shown(rate)}%) "
        f"in the last {WINDOW_DAYS} days",
    )


def rising_cancellations(figures: StrategyFigures, now: datetime) -> Advice | None:
    recent, previous = figures.recent_cancellations, figures.previous_cancellations
    if recent < RISING_CANCELLATIONS_MIN:
        return None
    if previous > 0 and percent(recent - previous, previous) < RISING_CANCELLATIONS_GROWTH:
        return None
    before = (
        f"{previous} in the {WINDOW_DAYS} days before (+{shown(percent(recent - previous, previous))}%)"
        if previous
        else f"none in the {WINDOW_DAYS} days before"
    )
    return Advice(
        code="RISING_CANCELLATIONS",
        title="Subscription cancellations are rising",
        description="Ask cancelling subscribers why they leave, reach out to subscribers whose charges fail, "
        "and consider a retention offer before the cancellation is confirmed.",
        priority=2,
        reason=f"{recent} subscriptions were cancelled in the last {WINDOW_DAYS} days, against {before}",
    )


def expired_billets(figures: StrategyFigures, now: datetime) -> Advice | None:
    expired = figures.expired_billet_sales + figures.lost_expired_billets
    issued = figures.billet_sales + figures.lost_expired_billets
    rate = percent(expired, issued)
    if expired < EXPIRED_BILLETS_MIN or rate < EXPIRED_BILLETS_RATE_THRESHOLD:
        return None
    return Advice(
        code="EXPIRED_BILLETS",
        title="Many billets expire unpaid",
        description="Remind buyers before their billet's due date, and offer Pix or a card to those who "
        "printed a billet but did not pay it.",
        priority=3,
        reason=f"{expired} of {issued} billets expired unpaid ({shown(rate)}%) in the last {WINDOW_DAYS} days",
    )


def recover_abandoned_checkouts(figures: StrategyFigures, now: datetime) -> Advice | None:
    unrecovered = figures.unrecovered_abandoned_checkouts
    if unrecovered < UNRECOVERED_ABANDONED_CHECKOUTS_MIN:
        return None
    return Advice(
        code="RECOVER_ABANDONED_CHECKOUTS",
        title="Recover abandoned checkouts",
        description="Send buyers who left the checkout a reminder with a direct link back to it, "
        "by e-mail or message, within the first hours.",
        priority=4,
        reason=f"{unrecovered} of {figures.abandoned_checkouts} abandoned checkouts of the last {WINDOW_DAYS} days "
        "were not recovered",
    )


def pending_affiliations(figures: StrategyFigures, now: datetime) -> Advice | None:
    pending = figures.pending_affiliations
    if pending < PENDING_AFFILIATIONS_MIN:
        return None
    waiting = ""
    if figures.oldest_pending_applied_at is not None:
        days = max((now - figures.oldest_pending_applied_at).days, 0)
        waiting = f", the oldest for {days} day{'s' if days != 1 else ''}"
    applications = "application is" if pending == 1 else "applications are"
    return Advice(
        code="PENDING_AFFILIATIONS",
        title="Affiliates are waiting for your answer",
        description="Approve or reject pending affiliation requests: affiliates who wait too long "
        "promote other products.",
        priority=5,
        reason=f"{pending} affiliation {applications} waiting for a decision{waiting}",
    )


def low_pix_adoption(figures: StrategyFigures, now: datetime) -> Advice | None:
    brl, pix = figures.made_brl_sales, figures.made_brl_pix_sales
    share = percent(pix, brl)
    if brl < LOW_PIX_MIN_BRL_SALES or share >= LOW_PIX_SHARE_THRESHOLD:
        return None
    return Advice(
        code="LOW_PIX_ADOPTION",
        title="Few buyers pay with Pix",
        description="Offer Pix prominently at checkout, possibly with a discount: it is paid at once "
        "and never expires unpaid like a billet.",
        priority=6,
        reason=f"{pix} of {brl} sales in BRL were paid with Pix ({shown(share)}%) in the last {WINDOW_DAYS} days",
    )


def no_affiliates(figures: StrategyFigures, now: datetime) -> Advice | None:
    if figures.active_affiliations > 0 or figures.products < NO_AFFILIATES_MIN_PRODUCTS:
        return None
    products = "1 product" if figures.products == 1 else f"{figures.products} products"
    return Advice(
        code="NO_AFFILIATES",
        title="Let affiliates sell for you",
        description="Open your products to affiliation with an attractive commission: affiliates bring "
        "sales you only pay for when they happen.",
        priority=7,
        reason=f"You have {products} and no active affiliate",
    )


RULES: tuple[Callable[[StrategyFigures, datetime], Advice | None], ...] = (
    high_lost_sale_rate,
    rising_cancellations,
    expired_billets,
    recover_abandoned_checkouts,
    pending_affiliations,
    low_pix_adoption,
    no_affiliates,
)


def decide(figures: StrategyFigures, now: datetime) -> list[Advice]:
    """Every rule that fires, most urgent first."""
    advice = [found for rule in RULES if (found := rule(figures, now)) is not None]
    return sorted(advice, key=lambda item: (item.priority, item.code))


async def strategies(context: Context, *, now: datetime | None = None) -> list[Advice]:
    """The strategies for the producer, from the last 30 days (and the 30 before) in its time zone."""
    require_scope(context.principal, "reports:read")
    moment = now or datetime.now(UTC)
    producer = await viewer(context)
    recent = period_of(None, None, producer.time_zone, now=moment, default_days=WINDOW_DAYS)
    previous = period_of(
        recent.first_day - timedelta(days=WINDOW_DAYS), recent.first_day - timedelta(days=1), producer.time_zone
    )
    figures = await strategy_figures(context.db, previous.start, recent.start, recent.end)
    return decide(figures, moment)
