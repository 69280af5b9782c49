"""Reading the counters: an organization's subtree rows, or its children's subtree rows and
its own rows (per child); deadline buckets summed before a date."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet, Sum

from ..models import Organization, Tally


def _rows(root: Organization, by_child: bool) -> QuerySet:
    if not by_child:
        return Tally.objects.filter(organization=root, scope=Tally.SUBTREE)
    children = Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).values(
        "pk"
    )
    return Tally.objects.filter(
        Q(organization=root, scope=Tally.OWN) | Q(organization__in=children, scope=Tally.SUBTREE)
    )


def sums(
    root: Organization,
    kinds: Iterable[str],
    q: Q | None = None,
    by_child: bool = False,
) -> QuerySet:
    """Rows (bucket, year, period, kind, key, n) of the counters of `kinds` of `root`'s subtree
    (the bucket is the root's path), or, `by_child`, of each child's subtree (the bucket is the
    child's path) and of the root's own level (the root's path). One query that reads one row
    per (child,) period, kind and key: never the organizations below."""
    rows = _rows(root, by_child).filter(kind__in=list(kinds))
    if q is not None:
        rows = rows.filter(q)
    return rows.values_list("path", "year", "period", "kind", "key", "n").order_by()


def due_before(root: Organization, kind: str, today: datetime.date) -> int:
    """The counters of deadline buckets (keyed by ISO date) before `today` under `root`."""
    found = (
        _rows(root, by_child=False)
        .filter(kind=kind, year=0, key__lt=today.isoformat())
        .aggregate(n=Sum("n"))["n"]
    )
    return found or 0


def due_before_by_child(
    root: Organization, kind: str, today: datetime.date, year: int = 0
) -> dict[str, int]:
    """The same sum per child of `root` (its own level under its own path): one query."""
    rows = (
        _rows(root, by_child=True)
        .filter(kind=kind, year=year, key__lt=today.isoformat())
        .values_list("path")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return dict(rows)
