"""Scopes: what a key may read or write. A field the key may not use is a FORBIDDEN error at that field."""

from __future__ import annotations

from loaders.api_keys import Principal
from resolvers.errors import Forbidden


def require_scope(principal: Principal, scope: str) -> None:
    if not principal.can(scope):
        raise Forbidden(f"This API key lacks the `{scope}` scope")
