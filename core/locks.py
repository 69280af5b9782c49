"""Row locks for services: one idiom, so every state change locks what it changes."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

T = TypeVar("T", bound=models.Model)


def lock_row(obj: models.Model) -> None:
    """Lock the row, then reload the caller's instance so it sees the committed state.

    Call first in a service, before its checks: the rule and the state are then read from the
    locked row. Related objects already loaded stay (when the key still points at them), so a
    rule checked after the lock reads no more rows than one checked before it.
    Call inside `transaction.atomic`; on SQLite the lock is the database's own write lock.
    """
    loaded = {
        field: (getattr(obj, field.attname), field.get_cached_value(obj))
        for field in obj._meta.concrete_fields
        if field.is_relation and field.is_cached(obj)
    }
    list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db()
    for field, (key, related) in loaded.items():
        if getattr(obj, field.attname) == key:
            field.set_cached_value(obj, related)


def lock_first(queryset: models.QuerySet[T]) -> T | None:
    """Lock and return the first row the queryset finds, or None: for a service that finds
    its row by a lookup (the row may not exist yet). Only this model's row is locked, not the
    rows it joins. Call first in the service, like `lock_row`."""
    return queryset.select_for_update(of=("self",)).first()


def lock_rows(queryset: models.QuerySet) -> None:
    """Lock every row of the queryset (e.g. a numbering sequence's rows) without loading them."""
    list(queryset.select_for_update().values_list("pk"))
