"""Row locks for services: one idiom, so every state change locks what it changes."""

from __future__ import annotations

from django.db import models


def lock_row(obj: models.Model) -> None:
    """Lock the row, then reload the caller's instance so it sees the committed state.

    Call inside `transaction.atomic`; on SQLite the lock is the database's own write lock.
    """
    list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db()


def lock_rows(queryset: models.QuerySet) -> None:
    """Lock every row of the queryset (e.g. a numbering sequence's rows) without loading them."""
    list(queryset.select_for_update().values_list("pk"))
