"""The base of every loader: a DataLoader bound to one request's `TenantDatabase`, and results in key order."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from aiodataloader import DataLoader

from loaders.database import TenantDatabase

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class ProducerLoader(DataLoader[K, V | None], Generic[K, V]):
    """A DataLoader bound to one request's `TenantDatabase` (and so to one producer)."""

    def __init__(self, db: TenantDatabase) -> None:
        super().__init__()
        self.db = db

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V | None]:
        raise NotImplementedError


class RowsByIdLoader(ProducerLoader[int, V]):
    """Rows of one table by primary key (`rows_by_id` makes one). The table is a constant of our code, the row
    type a dataclass whose fields are the columns selected, in order; keys are always parameters."""

    table: ClassVar[str]
    row_type: ClassVar[type[Any]]
    columns: ClassVar[str]

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__(**options)
        cls.columns = column_list(cls.row_type)

    async def batch_load_fn(self, keys: Sequence[int]) -> list[V | None]:
        rows = await self.db.fetch(
            f"select {self.columns} from {self.table} where producer_id = $1 and id = any($2::bigint[])",
            self.db.producer_id,
            list(keys),
        )
        return in_key_order(keys, {row["id"]: self.row_type(*row) for row in rows})


def rows_by_id(table: str, row_type: type[V]) -> type[RowsByIdLoader[V]]:
    """The loader of one table's rows by primary key, made as a row of it (`row_type`, a dataclass)."""
    name = f"{row_type.__name__.removesuffix('Row')}ByIdLoader"
    loader: type[RowsByIdLoader[V]] = type(name, (RowsByIdLoader,), {"table": table, "row_type": row_type})
    return loader


def in_key_order(keys: Iterable[K], found: Mapping[K, V]) -> list[V | None]:
    """The loaded values in the order of `keys`, None where nothing was found."""
    return [found.get(key) for key in keys]


def grouped_in_key_order(keys: Iterable[K], rows: Iterable[tuple[K, V]]) -> list[list[V]]:
    """For one-to-many loaders: the values of each key, in the order of `keys`."""
    groups: dict[K, list[V]] = {}
    for key, value in rows:
        groups.setdefault(key, []).append(value)
    return [groups.get(key, []) for key in keys]


def column_list(row_type: type[Any]) -> str:
    """The SELECT list of a row dataclass: its field names, which are its table's column names.

    Row dataclasses are `slots=True` but not frozen: a frozen dataclass sets each field through
    `object.__setattr__`, nine times slower, and rows are made by the hundred per request.
    """
    return ", ".join(field.name for field in dataclasses.fields(row_type))
