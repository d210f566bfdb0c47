"""The canonical forms of the values the API reads, wherever they come from (arguments, variables, cursors).

One rule for each kind, so that a value the database cannot hold is refused with BAD_USER_INPUT before any
statement, never failing inside one:

- a date-time carries its offset (`2026-11-30T22:00:00-03:00` or `...Z`; a bare local time is ambiguous, since
  periods are in the producer's time zone) and lies in [1900-01-01T00:00Z, 9999-01-01T00:00Z);
- a day is `YYYY-MM-DD` from 1900-01-01 to 9998-12-31;
- a decimal is plain: ASCII digits, an optional leading minus, an optional fraction (no exponent, no NaN, no
  sign `+`, no spaces, no underscores), at most 20 digits on each side of the point;
- text holds no NUL character (PostgreSQL cannot store one) and no lone UTF-16 surrogate (UTF-8 cannot
  carry one): wherever it appears (query, variables, their keys, string literals), it is refused whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

T = TypeVar("T")

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)
FIRST_INSTANT = datetime(1900, 1, 1, tzinfo=UTC)
END_OF_INSTANTS = datetime(9999, 1, 1, tzinfo=UTC)

_WHOLE = re.compile(r"0|[1-9][0-9]{0,18}", re.ASCII)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})", re.ASCII
)
_DECIMAL = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?", re.ASCII)


class InvalidValue(ValueError):
    """A value in a form or range the API does not take; the message says which."""


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text(text: str) -> str | None:
    """Why `text` cannot be stored or answered (a NUL, a lone surrogate), or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    what = "a NUL character" if found.group() == "\x00" else f"the lone surrogate U+{ord(found.group()):04X}"
    return f"Text may not hold {what} (at character {found.start() + 1})"


def day(text: object) -> date:
    return checked_day(_parsed(text, _DAY, date.fromisoformat, "A date is written YYYY-MM-DD, such as 2026-11-30"))


def checked_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise InvalidValue(f"Dates go from {FIRST_DAY} to {LAST_DAY}; got {value}")
    return value


def date_time(text: object) -> datetime:
    expected = (
        "A date-time is written in ISO 8601 with its offset, such as 2026-11-30T22:00:00-03:00 or 2026-12-01T01:00:00Z"
    )
    return checked_date_time(_parsed(text, _DATE_TIME, datetime.fromisoformat, expected))


def checked_date_time(value: datetime) -> datetime:
    try:
        in_range = value.tzinfo is not None and FIRST_INSTANT <= value < END_OF_INSTANTS
    except OverflowError:
        in_range = False
    if not in_range:
        raise InvalidValue(f"Date-times go from {FIRST_INSTANT.isoformat()} up to {END_OF_INSTANTS.isoformat()}")
    return value


def decimal(text: object) -> Decimal:
    if not isinstance(text, str):
        raise InvalidValue(f'A Decimal is written as a string, such as "1234.50"; got {_shown(text)}')
    if not _DECIMAL.fullmatch(text):
        raise InvalidValue(
            'A Decimal is plain digits with an optional minus and fraction, such as "1234.50" (no exponent, '
            f"no other characters, at most 20 digits on each side of the point); got {_shown(text)}"
        )
    return Decimal(text)


def whole_number(text: object) -> int:
    """A whole number a bigint holds, written plainly (ASCII digits, no sign, no leading zero)."""
    number = _parsed(text, _WHOLE, int, "a whole number")
    if not 0 <= number < 2**63:
        raise InvalidValue(f"{_shown(text)} is not a whole number this API gave out")
    return number


def refused_json(value: object) -> object:
    """No argument takes JSON: a JSON value sent as one is refused."""
    raise InvalidValue("JSON values are only in answers")


def _parsed(text: object, form: re.Pattern[str], parse: Callable[[str], T], expected: str) -> T:
    if not isinstance(text, str) or not form.fullmatch(text):
        raise InvalidValue(f"{expected}; got {_shown(text)}")
    try:
        return parse(text)
    except ValueError:
        raise InvalidValue(f"{text} is not on the calendar") from None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
