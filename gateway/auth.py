"""API keys: their format, hashing and scopes, and the principal a key stands for."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

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
)


class UnknownScopeError(ValueError):
    """A scope name that the gateway does not know."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: one producer, through one key, with some scopes."""

    producer_id: int
    key_id: int
    scopes: frozenset[str]

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


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class KnownKeys:
    """The principals of keys seen lately, by the SHA-256 of the key, at most `capacity` of them.

    A request whose key is known skips the lookup's round trip. Its key is still checked on every request,
    in the round trip that opens its transaction (`loaders.api_keys.key_check_sql`), so a revoked key is
    refused at once; it is then forgotten. Scopes are fixed when a key is made, so they cannot go stale.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._principals: dict[bytes, Principal] = {}

    def get(self, secret_hash: bytes) -> Principal | None:
        return self._principals.get(secret_hash)

    def remember(self, secret_hash: bytes, principal: Principal) -> None:
        if len(self._principals) >= self.capacity:
            del self._principals[next(iter(self._principals))]  # the one remembered first
        self._principals[secret_hash] = principal

    def forget(self, secret_hash: bytes) -> None:
        self._principals.pop(secret_hash, None)
