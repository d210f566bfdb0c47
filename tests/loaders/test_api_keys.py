"""API keys at the loader level: stored hashed, with scopes that are checked by name."""

from __future__ import annotations

import asyncpg
import pytest

from loaders.api_keys import SCOPES, UnknownScopeError, create_key, hash_key, validate_scopes
from tests.factories.producers import make_seller


async def test_keys_are_stored_hashed_with_scopes(connection: asyncpg.Connection) -> None:
    seller = await make_seller(connection)
    created = await create_key(connection, seller.id, name="partner", scopes=["sales:read", "reports:read"])
    row = await connection.fetchrow("select * from api_keys where id = $1", created.id)
    assert row["secret_hash"] == hash_key(created.secret)
    assert created.secret not in str(dict(row))
    assert row["scopes"] == ["sales:read", "reports:read"]


def test_scopes_default_to_all_and_reject_unknown_names() -> None:
    assert validate_scopes(None) == list(SCOPES)
    assert validate_scopes(["sales:read", "sales:read"]) == ["sales:read"]
    with pytest.raises(UnknownScopeError, match="sales:write"):
        validate_scopes(["sales:write"])
