"""What every mutation answers with besides the changed objects: `userErrors`, expected failures as data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry

from loaders import writes
from loaders.writes import Outcome

R = TypeVar("R")
T = TypeVar("T")

strawberry.enum(writes.UserErrorCode, name="UserErrorCode")  # the one definition, in loaders.writes


@strawberry.type(description="Why a mutation changed nothing.")
class UserError:
    field: list[str] | None = strawberry.field(description="Path to the argument at fault, if one is.")
    message: str
    code: writes.UserErrorCode


def user_errors(outcome: Outcome[Any]) -> list[UserError]:
    refused = outcome.refused
    if refused is None:
        return []
    return [UserError(field=list(refused.field) or None, message=refused.message, code=refused.code)]


def changed(outcome: Outcome[R], make: Callable[[R], T]) -> T | None:
    """The changed object of an outcome, as the API shows it; None when the mutation was refused."""
    return make(outcome.row) if outcome.row is not None else None
