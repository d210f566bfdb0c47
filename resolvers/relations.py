"""Relations: a field of a row that names other rows, declared once and loaded in batches.

`Relation` says which loader finds the related rows and by which attribute of the row (`product_id`; `id` for
a reverse relation such as a sale's refunds). `load` serves one row, `load_many` all the rows of a level at
once; both answer the same, errors included, and both go through the request's loaders (one statement per
level either way).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loaders.batching import ProducerLoader, RowsByIdLoader
from loaders.keyset import Join
from resolvers.context import Context
from resolvers.errors import MissingRowError
from resolvers.scopes import require_scope


@dataclass(frozen=True, slots=True)
class Relation:
    target: str  # what is found, as the API names it ("Product"): for messages
    loader: type[ProducerLoader[Any, Any]]
    key: str  # the row's attribute that is the loader's key; a row whose key is None relates to nothing
    may_be_missing: bool = False  # a key that finds nothing means "none" (else: a broken foreign key)
    scope: str | None = None  # the scope reading the related rows needs

    async def load(self, context: Context, row: Any) -> Any:
        if self.scope is not None:
            require_scope(context.principal, self.scope)
        key = getattr(row, self.key)
        if key is None:
            return None
        return self._checked(key, await context.loaders.get(self.loader).load(key))

    async def load_many(self, context: Context, rows: Sequence[Any]) -> list[Any]:
        if self.scope is not None:
            require_scope(context.principal, self.scope)
        keys = [getattr(row, self.key) for row in rows]
        found = iter(await context.loaders.get(self.loader).load_many([key for key in keys if key is not None]))
        return [None if key is None else self._checked(key, next(found)) for key in keys]

    def join(self) -> Join | None:
        """The relation as a join of a list's statement: for rows found by id (`rows_by_id`) only."""
        loader = self.loader
        if not issubclass(loader, RowsByIdLoader):
            return None
        return Join(self.key, loader.table, loader.row_type)

    def prime(self, context: Context, rows: Sequence[Any], found: Sequence[Any]) -> None:
        """Give the request's loader the rows a join found, so that loading them sends no statement; a key that
        found nothing is left to the loader (which tells a missing row from none)."""
        loader = context.loaders.get(self.loader)
        for row, value in zip(rows, found, strict=True):
            if value is not None:
                loader.prime(getattr(row, self.key), value)

    def _checked(self, key: Any, value: Any) -> Any:
        if value is None and not self.may_be_missing:
            raise MissingRowError(f"{self.target} {key}")
        return value
