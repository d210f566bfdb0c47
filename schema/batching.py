"""Batch forms of per-object resolvers: one call for all the objects of a level.

A field resolved per object (`Sale.product`: one call, one coroutine and one loader future per sale) may
also name a batch form: an async function given the request's context and every source object at once,
returning the field's values in the same order. The fast executor calls the batch form, once per level,
instead of the resolver once per object; the stock executor keeps calling the resolver. The two must
agree value for value, errors included (a batch form raises whenever the resolver would raise for any one
object; the fast executor then steps aside), and the differential tests hold them to it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from gateway.context import Context

BATCH_FORM = "__batch_form__"

F = TypeVar("F", bound=Callable[..., Any])
BatchForm = Callable[[Context, list[Any]], Awaitable[list[Any]]]


def batch_form(form: BatchForm) -> Callable[[F], F]:
    """Mark a resolver (under `@strawberry.field`) with its batch form."""

    def mark(resolver: F) -> F:
        setattr(resolver, BATCH_FORM, form)
        return resolver

    return mark


def batch_form_of(resolver: Callable[..., Any]) -> BatchForm | None:
    form: BatchForm | None = getattr(resolver, BATCH_FORM, None)
    return form
