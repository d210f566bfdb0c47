"""Every loader of one request, made on first use over the request's `TenantDatabase`."""

from __future__ import annotations

from typing import Any, TypeVar

from loaders.batching import ProducerLoader
from loaders.database import TenantDatabase

L = TypeVar("L", bound=ProducerLoader[Any, Any])


class Loaders:
    """The loaders of one request. Never shared: each request gets its own, bound to its producer."""

    __slots__ = ("_loaders", "db")

    def __init__(self, db: TenantDatabase) -> None:
        self.db = db
        self._loaders: dict[type[ProducerLoader[Any, Any]], ProducerLoader[Any, Any]] = {}

    def get(self, loader_class: type[L]) -> L:
        loader = self._loaders.get(loader_class)
        if loader is None:
            loader = self._loaders[loader_class] = loader_class(self.db)
        return loader  # type: ignore[return-value]
