"""API keys: their format, scopes and storage, and the principal a key stands for.

Keys are looked up before the tenant is known, through `authenticate_api_key`; creating, listing and revoking
them is for the command line, as the owner.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg

KEY_PREFIX = "sgk_"

SCOPES: tuple[str, ...] = (
    "sales:read",
    "finance:read",
    "finance:write",
    "refunds:read",
    "refunds:write",
    "subscriptions:read",
    "subscriptions:write",
    "affiliations:read",
    "affiliations:write",
    "reports:read",
    "webhooks:read",
    "webhooks:write",
)


class UnknownScopeError(ValueError):
    """A scope name that the gateway does not know."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: one producer, through one key, with some scopes."""

    producer_id: int
    key_id: int
    scopes: frozenset[str]
    cost_limit: int | None = None  # the key's own bucket of cost points; None: the gateway's default
    restore_rate: int | None = None  # the points a second its bucket gets back; None: the gateway's default

    def can(self, scope: str) -> bool:
        return scope in self.scopes


def hash_key(secret: str) -> bytes:
    """Keys are long random strings, so a plain SHA-256 is a safe, fast way to store them."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


def new_secret() -> str:
    """A fresh random key, recognisable by its prefix."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def looks_like_key(secret: str) -> bool:
    return secret.startswith(KEY_PREFIX) and len(secret) <= 200


def validate_scopes(scopes: Iterable[str] | None) -> list[str]:
    """The scopes to store: all of them when none are named; unknown names are an error."""
    if scopes is None:
        return list(SCOPES)
    chosen = list(dict.fromkeys(scope.strip() for scope in scopes if scope.strip()))
    unknown = [scope for scope in chosen if scope not in SCOPES]
    if unknown:
        raise UnknownScopeError(f"unknown scope(s): {', '.join(unknown)}; known: {', '.join(SCOPES)}")
    if not chosen:
        raise UnknownScopeError("at least one scope is needed")
    return chosen


@dataclass(frozen=True, slots=True)
class CreatedKey:
    id: int
    secret: str


async def create_key(
    connection: asyncpg.Connection,
    producer_id: int,
    *,
    name: str = "default",
    scopes: Iterable[str] | None = None,
    cost_limit: int | None = None,
    restore_rate: int | None = None,
) -> CreatedKey:
    """Store a new key for a producer and return its secret, which is never stored in clear. `cost_limit` and
    `restore_rate`: the key's own budget of cost points (None: the gateway's default)."""
    chosen = validate_scopes(scopes)
    secret = new_secret()
    key_id = await connection.fetchval(
        """
        insert into api_keys (producer_id, name, key_prefix, secret_hash, scopes, cost_limit, restore_rate)
        values ($1, $2, $3, $4, $5, $6, $7)
        returning id
        """,
        producer_id,
        name,
        secret[: len(KEY_PREFIX) + 6],
        hash_key(secret),
        chosen,
        cost_limit,
        restore_rate,
    )
    return CreatedKey(id=key_id, secret=secret)


KEY_REVOKED_SQLSTATE = "SG401"  # raised by assert_api_key (migration 0005)


def key_check_sql(secret_hash: bytes, key_id: int) -> str:
    """A statement that fails with `KEY_REVOKED_SQLSTATE` unless the key is still active.

    Literal, not a parameter, so that it can ride in the simple-query round trip that opens a request's
    transaction: the hash is our own SHA-256 digest written in hex and the id an integer, never client text.
    """
    return f"select assert_api_key('\\x{secret_hash.hex()}'::bytea, {int(key_id)})"


async def revoke_key(connection: asyncpg.Connection, key_id: int) -> bool:
    """Revoke a key; return False when there is no such active key."""
    revoked = await connection.fetchval(
        "update api_keys set revoked_at = now() where id = $1 and revoked_at is null returning id", key_id
    )
    return revoked is not None


async def find_principal(connection: asyncpg.Pool | asyncpg.pool.PoolConnectionProxy, secret: str) -> Principal | None:
    """The principal of an active key, or None for an unknown or revoked one (outside any transaction)."""
    if not looks_like_key(secret):
        return None
    row = await connection.fetchrow(
        "select key_id, producer_id, scopes, cost_limit, restore_rate from authenticate_api_key($1)",
        hash_key(secret),
    )
    if row is None:
        return None
    return Principal(
        producer_id=row["producer_id"],
        key_id=row["key_id"],
        scopes=frozenset(row["scopes"]),
        cost_limit=row["cost_limit"],
        restore_rate=row["restore_rate"],
    )


def _budget(cost_limit: int | None, restore_rate: int | None) -> str:
    """A key's own budget of cost points as `keys list` shows it."""
    return (
        f"cost limit {cost_limit or 'default'}, restore rate {restore_rate or 'default'}/s\t"
        if cost_limit or restore_rate
        else "default cost budget\t"
    )


async def list_keys(connection: asyncpg.Connection, producer_id: int) -> list[str]:
    """One line per key of a producer: id, name, prefix, scopes and state; never the secret."""
    rows = await connection.fetch(
        """
        select id, name, key_prefix, scopes, cost_limit, restore_rate, created_at, revoked_at
        from api_keys where producer_id = $1 order by id
        """,
        producer_id,
    )
    return [
        f"{row['id']}\t{row['name']}\t{row['key_prefix']}…\t{','.join(row['scopes'])}\t"
        + _budget(row["cost_limit"], row["restore_rate"])
        + (
            f"revoked {row['revoked_at']:%Y-%m-%d}"
            if row["revoked_at"]
            else f"active since {row['created_at']:%Y-%m-%d}"
        )
        for row in rows
    ]
