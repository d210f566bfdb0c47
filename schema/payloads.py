"""What every mutation answers with besides the changed objects: `userErrors`, expected failures as data."""

from __future__ import annotations

from typing import Any, Self

import strawberry

from loaders import writes
from loaders.writes import Outcome

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


class Payload:
    """What a mutation answers (under `@strawberry.type`): its first field is the changed object (null when
    the mutation was refused), then any other objects it changed, then `userErrors`."""

    @classmethod
    def of(cls, outcome: Outcome[Any], **others: Any) -> Self:
        first = cls.__strawberry_definition__.fields[0]  # type: ignore[attr-defined]
        changed = first.type.of_type.from_row(outcome.row) if outcome.row is not None else None  # optional
        fields = {first.python_name: changed, **others, "user_errors": user_errors(outcome)}
        return cls(**fields)
