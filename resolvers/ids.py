"""Opaque global ids: base64 of "TypeName:primary key"."""

from __future__ import annotations

import base64
import binascii

from resolvers.errors import BadUserInput


def to_global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def from_global_id(global_id: str) -> tuple[str, int]:
    """The type name and primary key inside a global id; `BadUserInput` when it is not one of ours."""
    try:
        decoded = base64.b64decode(global_id.encode("ascii"), validate=True).decode("utf-8")
        type_name, _, pk_text = decoded.partition(":")
        pk = int(pk_text)
    except (UnicodeError, binascii.Error, ValueError):
        raise BadUserInput(f"Invalid id: {global_id[:100]!r}") from None
    if not type_name.isalpha() or pk <= 0 or pk >= 2**63:
        raise BadUserInput(f"Invalid id: {global_id[:100]!r}")
    return type_name, pk


def pk_of(global_id: str, expected_type: str) -> int:
    """The primary key of an id that must name `expected_type`."""
    type_name, pk = from_global_id(global_id)
    if type_name != expected_type:
        raise BadUserInput(f"Id {global_id[:100]!r} is not a {expected_type} id")
    return pk
