"""Bearer tokens of HTTP requests, and the keys this process has seen lately."""

from __future__ import annotations

from loaders.api_keys import Principal


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
