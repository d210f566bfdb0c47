"""WHERE clauses built from constant fragments of our code; every value is a numbered parameter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Where:
    parameters: list[Any] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)

    def add(self, fragment: str, *values: Any) -> None:
        """Add `fragment`, in which {0}, {1}... stand for the parameters of `values`."""
        numbers = []
        for value in values:
            self.parameters.append(value)
            numbers.append(f"${len(self.parameters)}")
        self.conditions.append(fragment.format(*numbers))

    def add_if(self, value: Any, fragment: str) -> None:
        """Add `fragment` with one parameter, unless the value is None (no condition)."""
        if value is not None:
            self.add(fragment, value)

    @property
    def sql(self) -> str:
        return " and ".join(self.conditions) or "true"

    @property
    def next_parameter(self) -> int:
        return len(self.parameters) + 1


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with its wildcards escaped."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


Filters = Mapping[str, Any]  # what a list is narrowed to, by the names of its conditions; None means "no condition"


@dataclass(frozen=True, slots=True)
class Condition:
    """One filter of a list, named as the API names it, applied when its value is given (not None).

    `sql` (a constant of our code) holds {0}, {1}... for the parameters: the value itself, or what `values`
    makes of it; `$1` is the producer in every list's WHERE (for a subquery that must not be correlated, so
    that it runs once, not once per row). A boolean field takes no parameter: `sql` when true, `otherwise`
    when false.
    """

    name: str
    sql: str
    otherwise: str = "false"
    values: Callable[[Any], tuple[Any, ...]] | None = None

    def apply(self, where: Where, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            where.add(self.sql if value else self.otherwise)
        else:
            where.add(self.sql, *(self.values(value) if self.values is not None else (value,)))


def any_of(name: str, column: str, sql_type: str = "text") -> Condition:
    """The column is one of the values (a list)."""
    return Condition(name, f"{column} = any({{0}}::{sql_type}[])")


def equals(name: str, column: str) -> Condition:
    return Condition(name, f"{column} = {{0}}")


def updated_since(column: str) -> Condition:
    """`updated_since`: rows written at or after a moment (`updated_at`, migration 0010)."""
    return Condition("updated_since", f"{column} >= {{0}}")


def within(prefix: str, column: str) -> tuple[Condition, Condition]:
    """`<prefix>_from` (inclusive) and `<prefix>_to` (exclusive) bounds of a time column."""
    return Condition(f"{prefix}_from", f"{column} >= {{0}}"), Condition(f"{prefix}_to", f"{column} < {{0}}")
