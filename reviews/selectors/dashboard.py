"""Reads for the coverage dashboard (全覆盖).

Every figure is a sum of the subtree's counter rows (reviews.tallies, pledges.tallies), grouped
on the first characters of the organization path (the child's path) in one query; only the
names of those not yet covered read rows, at most MISSING_LIMIT each, and only where the
counters say some are missing. The number of queries is fixed whatever the tree.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges import tallies
from pledges.models import Calendar, Member, Organization, Pledge
from pledges.selectors.calendar import calendars_for
from pledges.tallies import PLEDGED_STATUSES

from ..models import (
    Quarter,
    RectificationItem,
    Review,
    SelfEvaluation,
    SubjectKind,
)
from ..rules.calendar import grade_choices
from ..tallies import ITEMS, REPORTED, REVIEWED, REVIEWED_STATUSES, REVIEWS, SATISFACTION
from . import due as due_selectors

GRADES = list(Review.Grade.choices)


MISSING_LIMIT = 30


def children_of(org: Organization) -> list[Organization]:
    # By path and depth rather than treebeard's numchild, which bulk-loaded trees may not keep.
    return list(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")
    )


def half_of(quarter: int) -> int:
    return 1 if quarter <= 2 else 2


def pct(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def pct100(part: int, whole: int) -> int | None:
    """A whole percentage for bars and labels; None when there is nothing to divide."""
    return round(part * 100 / whole) if whole else None


@dataclass
class Coverage:
    total: int = 0
    pledged: int = 0
    reported: int = 0
    reviewed: int = 0
    # Those that owe no report or review this quarter (a half-yearly calendar's first and
    # third quarters, reviews.selectors.due): left out of the reports' and reviews' whole.
    not_due: int = 0

    def add(self, other: Coverage) -> None:
        self.total += other.total
        self.pledged += other.pledged
        self.reported += other.reported
        self.reviewed += other.reviewed
        self.not_due += other.not_due

    @property
    def due(self) -> int:
        """How many owe a report and a review this quarter."""
        return self.total - self.not_due

    @property
    def not_pledged(self) -> int:
        return self.total - self.pledged

    @property
    def not_reported(self) -> int:
        return max(self.due - self.reported, 0)

    @property
    def not_reviewed(self) -> int:
        return max(self.due - self.reviewed, 0)

    def bars(self) -> list[dict]:
        """The three coverage figures with their share of their whole, for bars: pledges of
        everyone, reports and reviews of those that owe one this quarter."""
        return [
            {
                "key": key,
                "label": label,
                "n": n,
                "whole": whole,
                "pct": pct100(n, whole),
                "not_due": not_due,
            }
            for key, label, n, whole, not_due in (
                ("pledged", _("已承诺"), self.pledged, self.total, 0),
                ("reported", _("已自评"), self.reported, self.due, self.not_due),
                ("reviewed", _("已点评"), self.reviewed, self.due, self.not_due),
            )
        ]


@dataclass
class Row:
    """One line of the dashboard: a child's whole subtree, the root's own level, or the total."""

    org: Organization | None
    label: str
    orgs: Coverage = field(default_factory=Coverage)
    members: Coverage = field(default_factory=Coverage)
    grades: Counter = field(default_factory=Counter)
    rect_total: int = 0
    rect_done: int = 0
    satisfaction: Counter = field(default_factory=Counter)
    # The words of the row's committee's scale (好/较好/一般/差 or 好/中/差).
    grade_scale: str = Calendar.GradeScale.FOUR

    def add(self, other: Row) -> None:
        self.orgs.add(other.orgs)
        self.members.add(other.members)
        self.grades.update(other.grades)
        self.rect_total += other.rect_total
        self.rect_done += other.rect_done
        self.satisfaction.update(other.satisfaction)

    @property
    def rect_rate(self) -> float | None:
        return pct(self.rect_done, self.rect_total)

    @property
    def responses(self) -> int:
        return sum(self.satisfaction.values())

    @property
    def satisfaction_rate(self) -> float | None:
        s = self.satisfaction
        return pct(s["satisfied"] + s["basic"], self.responses)

    @property
    def rect_pct(self) -> int | None:
        return pct100(self.rect_done, self.rect_total)

    @property
    def satisfaction_pct(self) -> int | None:
        s = self.satisfaction
        return pct100(s["satisfied"] + s["basic"], self.responses)

    @property
    def graded(self) -> int:
        return sum(self.grades.values())

    def grade_bars(self) -> list[dict]:
        """Each grade's count and share of the graded reviews, for a stacked bar, in the words
        of the row's scale (a grade off the scale, from a region below grading otherwise, is
        still shown, in its own word)."""
        total = self.graded
        words = dict(grade_choices(self.grade_scale))
        words.update((v, label) for v, label in GRADES if v not in words and self.grades[v])
        return [
            {
                "key": value,
                "label": words[value],
                "n": self.grades[value],
                "pct": pct100(self.grades[value], total) or 0,
            }
            for value, _label in GRADES
            if value in words
        ]


@dataclass
class TrendPoint:
    quarter: Quarter
    orgs_reported: int = 0
    orgs_reviewed: int = 0
    members_reported: int = 0
    members_reviewed: int = 0
    good: int = 0
    graded: int = 0
    rect_total: int = 0
    rect_done: int = 0
    # How many owe a review in the quarter (None: everyone; reviews.selectors.due).
    orgs_due: int | None = None
    members_due: int | None = None

    @property
    def rect_rate(self) -> float | None:
        return pct(self.rect_done, self.rect_total)

    @property
    def good_rate(self) -> float | None:
        return pct(self.good, self.graded)


@dataclass
class ExtraFigure:
    """A figure another app adds to the dashboard (e.g. opinions received and answered)."""

    label: str
    value: int | str
    note: str = ""


# Apps above reviews (publicity) add their figures here from AppConfig.ready(), so the
# dashboard shows them without reviews importing those apps. Each is called with the root and
# the quarter and must run a fixed number of queries.
EXTRA_FIGURES: list[Callable[[Organization, Quarter], list[ExtraFigure]]] = []


def register_figures(
    fn: Callable[[Organization, Quarter], list[ExtraFigure]],
) -> Callable[[Organization, Quarter], list[ExtraFigure]]:
    if fn not in EXTRA_FIGURES:
        EXTRA_FIGURES.append(fn)
    return fn


@dataclass
class Dashboard:
    root: Organization
    quarter: Quarter
    total: Row
    rows: list[Row]
    trend: list[TrendPoint]
    missing: dict[str, dict]
    extras: list[ExtraFigure] = field(default_factory=list)


def dashboard(root: Organization, quarter: Quarter) -> Dashboard:
    """Coverage of the subtree under `root` for a quarter, per child and in total: sums of the
    subtree's counter rows (reviews.tallies), never a count of the rows themselves. The other
    apps' figures are added after."""
    counted = _counted(root, quarter)
    _follow_calendars(counted)
    counted.extras = [figure for fn in EXTRA_FIGURES for figure in fn(root, quarter)]
    return counted


def _counted(root: Organization, quarter: Quarter) -> Dashboard:
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


def pledges_of_year(year: int) -> QuerySet:
    return Pledge.objects.filter(year=year, status__in=PLEDGED_STATUSES)


def self_evaluations_of(quarter: Quarter) -> QuerySet:
    return SelfEvaluation.objects.filter(
        year=quarter.year, quarter=quarter.quarter, status=SelfEvaluation.Status.SUBMITTED
    )


def reviews_of(quarter: Quarter) -> QuerySet:
    return Review.objects.filter(
        year=quarter.year, quarter=quarter.quarter, status__in=REVIEWED_STATUSES
    )


def missing(
    root: Organization, quarter: Quarter, total: Row, limit: int = MISSING_LIMIT
) -> dict[str, list]:
    """The first names of those not yet covered (anti-joins that stop at `limit`); the
    counts come from the counters, and a list they say is empty is not read."""
    year = quarter.year
    under = root.path
    orgs = Organization.objects.filter(path__startswith=under).order_by("path")
    members = (
        Member.objects.filter(organization__path__startswith=under)
        .select_related("organization")
        .only("id", "name", "organization__id", "organization__name")
        .order_by("id")
    )
    member_pledge = pledges_of_year(year).filter(owner_member=OuterRef("pk"))
    # Reports and reviews: those owing none this quarter are not missing (reviews.selectors.due).
    off = due_selectors.off_regions(root, quarter)
    due_orgs = orgs.exclude(due_selectors.not_due_q(off)) if off else orgs
    off_members = due_selectors.not_due_q(off, "organization__path")
    due_members = members.exclude(off_members) if off else members

    def subject(qs: QuerySet, kind: str) -> QuerySet:
        if kind == SubjectKind.MEMBER:
            return qs.filter(subject_kind=kind, member=OuterRef("pk"))
        return qs.filter(subject_kind=kind, organization=OuterRef("pk"))

    org_kind, member_kind = SubjectKind.ORGANIZATION, SubjectKind.MEMBER
    lists = {
        "orgs_pledged": (
            total.orgs.not_pledged,
            # The organization's own holder row (pledges.tallies), not a scan of pledges.
            lambda: orgs.filter(
                ~Exists(tallies.orgs_pledged(year).filter(organization=OuterRef("pk")))
            ),
        ),
        "orgs_reported": (
            total.orgs.not_reported,
            lambda: due_orgs.filter(~Exists(subject(self_evaluations_of(quarter), org_kind))),
        ),
        "orgs_reviewed": (
            total.orgs.not_reviewed,
            lambda: due_orgs.filter(~Exists(subject(reviews_of(quarter), org_kind))),
        ),
        "members_pledged": (
            total.members.not_pledged,
            lambda: members.filter(~Exists(member_pledge)),
        ),
        "members_reported": (
            total.members.not_reported,
            lambda: due_members.filter(~Exists(subject(self_evaluations_of(quarter), member_kind))),
        ),
        "members_reviewed": (
            total.members.not_reviewed,
            lambda: due_members.filter(~Exists(subject(reviews_of(quarter), member_kind))),
        ),
    }
    return {
        name: list(rows()[:limit]) if count > 0 else [] for name, (count, rows) in lists.items()
    }


def _follow_calendars(data: Dashboard) -> None:
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
