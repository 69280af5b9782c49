"""Which organizations of a subtree owe a report and a review in a quarter under their
calendars (reviews.rules.calendar.is_review_quarter): under a half-yearly cadence none is owed
in the first and third quarters (the half's review is filed under its second quarter).

A subtree splits into regions: the root's (its calendar, its own or inherited) and one per
organization below that set its own calendar for the year, each less the regions inside it.
The year's calendar rows are read once per request (pledges.selectors.calendar); a region is a
path prefix, so the organizations owing nothing are a filter of a few prefixes and their
numbers a few subtree counts, never a walk of the organizations one by one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from pledges import tallies
from pledges.models import Organization, Tally
from pledges.selectors.calendar import YearCalendar, calendars_in_subtree

from ..models import Quarter
from ..rules.calendar import is_review_quarter


@dataclass(frozen=True)
class Region:
    """The organizations under `path` that follow `calendar`: all but those under `inner`."""

    path: str
    calendar: YearCalendar
    # The nearest regions inside this one (their organizations follow their own calendar).
    inner: tuple[str, ...]
    # The organization whose calendar row this is (None: the root's, when inherited).
    source_id: int | None = None

    def q(self, field: str) -> Q:
        q = Q(**{f"{field}__startswith": self.path})
        for path in self.inner:
            q &= ~Q(**{f"{field}__startswith": path})
        return q


def regions(root: Organization, year: int) -> list[Region]:
    """The root's region first, then each one below it in path order."""
    root_calendar, own = calendars_in_subtree(root, year)
    paths = [root.path, *sorted(own)]
    calendars = {root.path: root_calendar, **own}
    inner: dict[str, list[str]] = {path: [] for path in paths}
    for path in paths[1:]:
        parent = max((p for p in paths if p != path and path.startswith(p)), key=len)
        inner[parent].append(path)
    return [
        Region(
            path=path,
            calendar=calendars[path],
            inner=tuple(inner[path]),
            source_id=calendars[path].source_id if path != root.path else None,
        )
        for path in paths
    ]


def off_regions(root: Organization, quarter: Quarter) -> list[Region]:
    """The regions under `root` that owe no report or review in `quarter`."""
    return [r for r in regions(root, quarter.year) if not is_review_quarter(quarter, r.calendar)]


def not_due_q(off: list[Region], field: str = "path") -> Q | None:
    """The organizations (by `field`, their path) of the regions `off` (`off_regions`): those
    owing nothing in the quarter; None where every one owes."""
    if not off:
        return None
    q = Q()
    for region in off:
        q |= region.q(field)
    return q


def off_quarter_counts(
    root: Organization, year: int, totals: dict[str, tuple[int, int]]
) -> dict[str, tuple[int, int]]:
    """bucket → (organizations, members) that owe no review in the first and third quarters
    of `year` (those under a half-yearly calendar), by the dashboard's buckets: a child's path,
    or the root's own for its own level. `totals` gives each bucket's (organizations,
    members). Two queries where a region below the root reviews half-yearly, else none."""
    every = regions(root, year)
    halves = [r for r in every if r.calendar.half_yearly_reviews]
    if not halves:
        return {}
    child_len = len(root.path) + Organization.steplen

    def bucket(path: str) -> str:
        return path[:child_len] if len(path) >= child_len else root.path

    # Subtree counts of the regions below the root that matter: the half-yearly ones and
    # those directly inside them (each the organization that set the calendar row).
    source_of = {r.path: r.source_id for r in every}
    paths = sorted(
        {p for r in halves for p in (r.path, *r.inner) if p != root.path}
    )  # fmt: skip
    orgs_under: dict[str, int] = {}
    members_under = dict.fromkeys(paths, 0)
    if paths:
        counted = Organization.objects.filter(path__startswith=root.path).aggregate(
            **{f"n{i}": Count("pk", filter=Q(path__startswith=p)) for i, p in enumerate(paths)}
        )
        orgs_under = {p: counted[f"n{i}"] for i, p in enumerate(paths)}
        # The members from the counter rows: each region's organization's subtree row.
        path_of = {source_of[p]: p for p in paths}
        for org_id, n in (
            Tally.objects.filter(
                organization_id__in=list(path_of),
                scope=Tally.SUBTREE,
                kind=tallies.MEMBERS,
                year=0,
            )
            .values_list("organization_id")
            .annotate(n=Sum("n"))
            .order_by()
        ):
            members_under[path_of[org_id]] = n or 0
    orgs, members = Counter(), Counter()
    for region in halves:
        if region.path == root.path:
            for b, (o, m) in totals.items():
                orgs[b] += o
                members[b] += m
        else:
            orgs[bucket(region.path)] += orgs_under[region.path]
            members[bucket(region.path)] += members_under[region.path]
        for path in region.inner:
            orgs[bucket(path)] -= orgs_under[path]
            members[bucket(path)] -= members_under[path]
    return {b: (orgs[b], members[b]) for b in set(orgs) | set(members)}
