"""Reading the counters: an organization's subtree rows, or its children's subtree rows and
its own rows (per child); deadline buckets summed before a date."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Q, QuerySet, Sum

from ..models import Organization, Tally


def _parts(root: Organization, by_child: bool) -> list[QuerySet]:
    """The rows a read takes: the root's subtree rows, or its own rows and its children's
    subtree rows (two parts of a UNION ALL: each an index range of the unique key; joined by
    OR, PostgreSQL would scan the table)."""
    if not by_child:
        return [Tally.objects.filter(organization=root, scope=Tally.SUBTREE)]
    children = Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1).values(
        "pk"
    )
    return [
        Tally.objects.filter(organization=root, scope=Tally.OWN),
        Tally.objects.filter(organization__in=children, scope=Tally.SUBTREE),
    ]


def _union(parts: list[QuerySet]) -> QuerySet:
    first, *rest = parts
    return first.union(*rest, all=True) if rest else first


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
    parts = []
    for rows in _parts(root, by_child):
        rows = rows.filter(kind__in=list(kinds))
        if q is not None:
            rows = rows.filter(q)
        parts.append(rows.values_list("path", "year", "period", "kind", "key", "n").order_by())
    return _union(parts)


def due_before(root: Organization, kind: str, today: datetime.date) -> int:
    """The counters of deadline buckets (keyed by ISO date) before `today` under `root`."""
    (rows,) = _parts(root, by_child=False)
    found = rows.filter(kind=kind, year=0, key__lt=today.isoformat()).aggregate(n=Sum("n"))["n"]
    return found or 0


def due_before_by_child(
    root: Organization, kind: str, today: datetime.date, year: int = 0
) -> dict[str, int]:
    """The same sum per child of `root` (its own level under its own path): one query."""
    parts = [
        rows.filter(kind=kind, year=year, key__lt=today.isoformat())
        .values_list("path")
        .annotate(total=Sum("n"))
        .order_by()
        for rows in _parts(root, by_child=True)
    ]
    return dict(_union(parts))
