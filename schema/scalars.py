"""Scalars of the API: exact decimals as strings; DateTime and Date are Strawberry's ISO-8601 ones.

Types annotate money with `decimal.Decimal`; the schema maps it to the `Decimal` scalar
(`SCALAR_MAP`).
"""

from __future__ import annotations

import decimal
import re
from typing import Any

import strawberry

_DECIMAL_TEXT = re.compile(r"^-?\d{1,20}(\.\d{1,20})?$")


def parse_decimal(value: object) -> decimal.Decimal:
    """A plain decimal number written as a string ("1234.50"); no exponents, NaN or infinities."""
    if not isinstance(value, str) or not _DECIMAL_TEXT.match(value):
        raise ValueError(f'Decimal must be a string such as "1234.50", got {value!r}')
    return decimal.Decimal(value)


def serialize_decimal(value: decimal.Decimal) -> str:
    return str(value)


SCALAR_MAP: dict[object, Any] = {
    decimal.Decimal: strawberry.scalar(
        name="Decimal",
        description='An exact decimal number, as a string such as "1234.50". Never a float.',
        serialize=serialize_decimal,
        parse_value=parse_decimal,
    )
}
