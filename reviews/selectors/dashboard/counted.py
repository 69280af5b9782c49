"""The dashboard summed from the subtree's counter rows (one query), then put in the words and
rhythm of each row's calendar."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges import tallies
from pledges.models import Organization
from pledges.selectors.calendar import calendars_for

from ...models import (
    Quarter,
    RectificationItem,
    Review,
    SubjectKind,
)
from ...tallies import ITEMS, REPORTED, REVIEWED, REVIEWED_STATUSES, REVIEWS, SATISFACTION
from .. import due as due_selectors
from .figures import Dashboard, Row, TrendPoint, children_of, half_of
from .missing import missing


def counted(root: Organization, quarter: Quarter) -> Dashboard:
    year, half = quarter.year, half_of(quarter.quarter)
    children = children_of(root)
    own = Row(org=root, label=root.name)
    rows_by_path: dict[str, Row] = {root.path: own}
    for child in children:
        rows_by_path[child.path] = Row(org=child, label=child.name)
    child_len = len(root.path) + Organization.steplen
    # The root's own path is shorter than a child's: its bucket is the root's own level.
    for bucket, n in (
        Organization.objects.filter(path__startswith=root.path)
        .annotate(bucket=Substr("path", 1, child_len))
        .values_list("bucket")
        .annotate(n=Count("id"))
        .order_by()
    ):
        if bucket in rows_by_path:
            rows_by_path[bucket].orgs.total += n

    points = {q: TrendPoint(quarter=Quarter(year, q)) for q in range(1, 5)}
    kinds = [
        tallies.MEMBERS,
        tallies.MEMBERS_PLEDGED,
        tallies.ORGS_PLEDGED,
        REPORTED,
        REVIEWED,
        REVIEWS,
        ITEMS,
        SATISFACTION,
    ]
    # The year's rows, the members (not by year), and the answers of the half's valid
    # evaluations that have ended (closed early, or their end date before today).
    ended = Q(key__startswith="c:") | Q(key__lt=timezone.localdate().isoformat())
    answers = Q(kind=SATISFACTION, period=half) & ended
    this_year = Q(year=year) & (~Q(kind=SATISFACTION) | answers)
    rows = tallies.sums(root, kinds, this_year | Q(kind=tallies.MEMBERS), by_child=True)
    for bucket, _year, period, kind, key, n in rows:
        row = rows_by_path.get(bucket)
        if row is None or not n:
            continue
        if kind == tallies.MEMBERS:
            row.members.total += n
        elif kind == tallies.MEMBERS_PLEDGED:
            row.members.pledged += n
        elif kind == tallies.ORGS_PLEDGED:
            row.orgs.pledged += n
        elif kind == SATISFACTION:
            row.satisfaction[key.rsplit(":", 1)[1]] += n
        elif period in points:
            _add(row if period == quarter.quarter else None, points[period], kind, key, n)

    total = Row(org=root, label=root.name)
    for row in rows_by_path.values():
        total.add(row)
    lines = [rows_by_path[c.path] for c in children]
    # The root's own level is shown as a line of its own when it has children.
    if children:
        own.label = _("%(name)s（本级）") % {"name": root.name}
        lines.insert(0, own)
    return Dashboard(
        root=root,
        quarter=quarter,
        total=total,
        rows=lines,
        trend=[points[q] for q in range(1, 5)],
        missing=missing(root, quarter, total),
    )


def _add(row: Row | None, point: TrendPoint, kind: str, key: str, n: int) -> None:
    """One counter of the year's quarters: into the quarter's trend point, and into the
    dashboard's row when it is the quarter shown."""
    if kind == REPORTED:
        if key == SubjectKind.ORGANIZATION:
            point.orgs_reported += n
        elif key == SubjectKind.MEMBER:
            point.members_reported += n
        else:
            return
        if row is not None:
            (row.orgs if key == SubjectKind.ORGANIZATION else row.members).reported += n
    elif kind == REVIEWED:
        if key == SubjectKind.ORGANIZATION:
            point.orgs_reviewed += n
        else:
            point.members_reviewed += n
        if row is not None:
            (row.orgs if key == SubjectKind.ORGANIZATION else row.members).reviewed += n
    elif kind == REVIEWS:
        status, _mode, grade = key.split(":")
        if status not in REVIEWED_STATUSES:
            return
        point.graded += n
        point.good += n if grade == Review.Grade.GOOD else 0
        if row is not None:
            row.grades[grade] += n
    elif kind == ITEMS:
        confirmed = n if key == RectificationItem.Status.CONFIRMED else 0
        point.rect_total += n
        point.rect_done += confirmed
        if row is not None:
            row.rect_total += n
            row.rect_done += confirmed


def follow_calendars(data: Dashboard) -> None:
    """The rows in the words and rhythm of their calendars: each row's grades on its
    committee's scale, and those owing no report or review in the quarter (a half-yearly
    calendar's first and third) out of the reports' and reviews' whole, in the rows, the total
    and the trend's points. The year's calendars are read once per request; the counts of the
    half-yearly regions in two queries where there are any (reviews.selectors.due)."""
    root, quarter = data.root, data.quarter
    year = quarter.year
    calendars = calendars_for([root, *(row.org for row in data.rows)], year)
    data.total.grade_scale = calendars[root.pk].grade_scale
    by_bucket = {row.org.path: row for row in data.rows} or {root.path: data.total}
    for row in data.rows:
        row.grade_scale = calendars[row.org.pk].grade_scale
    totals = {b: (row.orgs.total, row.members.total) for b, row in by_bucket.items()}
    off = due_selectors.off_quarter_counts(root, year, totals)
    not_due = (sum(o for o, _m in off.values()), sum(m for _o, m in off.values()))
    for point in data.trend:
        skipped = not_due if point.quarter.quarter in (1, 3) else (0, 0)
        point.orgs_due = data.total.orgs.total - skipped[0]
        point.members_due = data.total.members.total - skipped[1]
    if quarter.quarter in (2, 4) or not off:
        return
    for bucket, (orgs, members) in off.items():
        row = by_bucket.get(bucket)
        if row is not None and row is not data.total:
            row.orgs.not_due, row.members.not_due = orgs, members
    data.total.orgs.not_due, data.total.members.not_due = not_due
