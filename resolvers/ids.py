"""Opaque global ids: base64 of "TypeName:primary key", read only in that canonical form.

Another spelling of the same key (Unicode digits, a sign, underscores, leading zeros, spaces, other padding or
alphabet) is not an id of ours: it is refused like any malformed id.
"""

from __future__ import annotations

import base64
import binascii
import re

from resolvers.errors import BadUserInput

_DECODED = re.compile(r"([A-Z][A-Za-z]{0,63}):([1-9][0-9]{0,18})", re.ASCII)


def to_global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def cache_id(type_name: str, producer_id: int, key: str) -> str:
    """A stable, unique id for an object that is not a row of its own (a balance: the producer and its
    currency), so that client caches can keep it; not a Node id: `node(id:)` does not take it."""
    return base64.b64encode(f"{type_name}:{producer_id}:{key}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, int]:
    """The type name and primary key inside a global id; `BadUserInput` when it is not one of ours."""
    try:
        decoded = base64.b64decode(global_id.encode("ascii"), validate=True).decode("ascii")
    except (UnicodeError, binascii.Error, ValueError):
        raise BadUserInput(f"Invalid id: {global_id[:100]!r} is not an id this API gave out") from None
    match = _DECODED.fullmatch(decoded)
    pk = int(match.group(2)) if match else 0
    if match is None or not 0 < pk < 2**63 or to_global_id(match.group(1), pk) != global_id:
        raise BadUserInput(f"Invalid id: {global_id[:100]!r} is not an id this API gave out")
    return match.group(1), pk


def pk_of(global_id: str, expected_type: str) -> int:
    """The primary key of an id that must name `expected_type`."""
    type_name, pk = from_global_id(global_id)
    if type_name != expected_type:
        raise BadUserInput(f"Id {global_id[:100]!r} names no {expected_type}")
    return pk
