"""A period of days in a producer's time zone, as the loaders take it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Period:
    """Inclusive days [first_day, last_day] and the half-open instants [start, end) they cover."""

    first_day: date
    last_day: date
    start: datetime
    end: datetime
