"""Date ranges in the producer's time zone, turned into timestamp bounds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from loaders.periods import Period
from resolvers.errors import BadUserInput

__all__ = ["Period", "period_of", "producer_zone"]

MAX_PERIOD_DAYS = 3_660
DEFAULT_PERIOD_DAYS = 7


def producer_zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def period_of(
    first_day: date | None,
    last_day: date | None,
    time_zone: str,
    *,
    now: datetime | None = None,
    default_days: int = DEFAULT_PERIOD_DAYS,
) -> Period:
    """The given days, or the last `default_days` days up to today in the producer's time zone."""
    zone = producer_zone(time_zone)
    if first_day is None or last_day is None:
        today = (now or datetime.now(UTC)).astimezone(zone).date()
        first_day, last_day = today - timedelta(days=default_days - 1), today
    if first_day > last_day:
        raise BadUserInput("period.from must not be after period.to")
    if (last_day - first_day).days >= MAX_PERIOD_DAYS:
        raise BadUserInput(f"period may span at most {MAX_PERIOD_DAYS} days")
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
    return Period(first_day=first_day, last_day=last_day, start=start, end=end)
