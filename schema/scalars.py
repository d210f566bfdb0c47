"""Scalars of the API: exact decimals as strings, days, and date-times with their offset.

Types annotate money with `decimal.Decimal`, days with `datetime.date` and moments with `datetime.datetime`;
the schema maps them to these scalars (`SCALAR_MAP`), which read values only in their canonical forms
(`resolvers/values.py`): anything else is a BAD_USER_INPUT that says what was expected.
"""

from __future__ import annotations

import datetime
import decimal
from typing import Any, NewType

import strawberry

from resolvers import values

JSON = NewType("JSON", object)  # a JSON object of field names to strings: an event's payload

SCALAR_MAP: dict[object, Any] = {
    JSON: strawberry.scalar(
        name="JSON",
        description="A JSON object of field names to strings (an event's payload); only in answers.",
        serialize=lambda value: value,
        parse_value=values.refused_json,
    ),
    decimal.Decimal: strawberry.scalar(
        name="Decimal",
        description='An exact decimal number, as a string such as "1234.50". Never a float.',
        serialize=str,
        parse_value=values.decimal,
    ),
    datetime.date: strawberry.scalar(
        name="Date",
        description="A day, YYYY-MM-DD (ISO 8601), from 1900-01-01 to 9998-12-31.",
        serialize=datetime.date.isoformat,
        parse_value=values.day,
    ),
    datetime.datetime: strawberry.scalar(
        name="DateTime",
        description="A moment, ISO 8601 with its offset (2026-11-30T22:00:00-03:00, or Z for UTC), from 1900 to 9998.",
        serialize=datetime.datetime.isoformat,
        parse_value=values.date_time,
    ),
}
