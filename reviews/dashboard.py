"""Reads for the coverage dashboard (全覆盖) and the annual assessment's year page.

Everything is aggregated in the database: per-child rollups group on the first characters of
the organization path (the child's path), membership in a set ("has pledged") is an uncorrelated
`IN (subquery)` the database hashes once. The number of queries is fixed whatever the tree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractQuarter, Substr
from django.utils.translation import gettext_lazy as _

from pledges.models import Member, Organization, Pledge

from .models import (
    MIN_RESPONSES,
    AnnualAssessment,
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    Quarter,
    RectificationItem,
    Review,
    SelfEvaluation,
    SubjectKind,
)

# An organization or member "has pledged" once a pledge has left the draft stage.
PLEDGED_STATUSES = (Pledge.Status.SUBMITTED, *Pledge.FILED_STATUSES)
REVIEWED_STATUSES = (Review.Status.SIGNED, Review.Status.PUBLISHED)
RECTIFIED_STATUSES = (RectificationItem.Status.CONFIRMED,)
GRADES = list(Review.Grade.choices)
MISSING_LIMIT = 30


def children_of(org: Organization) -> list[Organization]:
    # By path and depth rather than treebeard's numchild, which bulk-loaded trees may not keep.
    return list(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")
    )


def half_of(quarter: int) -> int:
    return 1 if quarter <= 2 else 2


def _pct(part: int, whole: int) -> float | None:
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

    def add(self, other: Coverage) -> None:
        self.total += other.total
        self.pledged += other.pledged
        self.reported += other.reported
        self.reviewed += other.reviewed

    @property
    def not_pledged(self) -> int:
        return self.total - self.pledged

    @property
    def not_reported(self) -> int:
        return self.total - self.reported

    @property
    def not_reviewed(self) -> int:
        return self.total - self.reviewed

    def bars(self) -> list[dict]:
        """The three coverage figures with their share of the total, for bars."""
        return [
            {"key": key, "label": label, "n": n, "pct": pct100(n, self.total)}
            for key, label, n in (
                ("pledged", _("已承诺"), self.pledged),
                ("reported", _("已自评"), self.reported),
                ("reviewed", _("已点评"), self.reviewed),
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

    def add(self, other: Row) -> None:
        self.orgs.add(other.orgs)
        self.members.add(other.members)
        self.grades.update(other.grades)
        self.rect_total += other.rect_total
        self.rect_done += other.rect_done
        self.satisfaction.update(other.satisfaction)

    @property
    def rect_rate(self) -> float | None:
        return _pct(self.rect_done, self.rect_total)

    @property
    def responses(self) -> int:
        return sum(self.satisfaction.values())

    @property
    def satisfaction_rate(self) -> float | None:
        s = self.satisfaction
        return _pct(s["satisfied"] + s["basic"], self.responses)

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
        """Each grade's count and share of the graded reviews, for a stacked bar."""
        total = self.graded
        return [
            {
                "key": value,
                "label": label,
                "n": self.grades[value],
                "pct": pct100(self.grades[value], total) or 0,
            }
            for value, label in GRADES
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

    @property
    def rect_rate(self) -> float | None:
        return _pct(self.rect_done, self.rect_total)

    @property
    def good_rate(self) -> float | None:
        return _pct(self.good, self.graded)


@dataclass
class Dashboard:
    root: Organization
    quarter: Quarter
    total: Row
    rows: list[Row]
    trend: list[TrendPoint]
    missing: dict[str, dict]


class _Scope:
    """Filters and the bucket expression for one subtree."""

    def __init__(self, root: Organization):
        self.root = root
        self.child_len = len(root.path) + Organization.steplen

    def bucket(self, path_lookup: str):
        # A child's whole subtree shares the child's path as prefix; the root's own rows are
        # shorter and come out as the root's path.
        return Substr(path_lookup, 1, self.child_len)

    def q(self, path_lookup: str) -> Q:
        return Q(**{f"{path_lookup}__startswith": self.root.path})


def _grouped(qs: QuerySet, bucket_expr, keys: list[str], aggregates: dict) -> list[dict]:
    # order_by(): a manager's default ordering (Organization sorts by path) would otherwise
    # join the GROUP BY and split every bucket into single rows.
    return list(
        qs.annotate(bucket=bucket_expr).values("bucket", *keys).annotate(**aggregates).order_by()
    )


# --- sets: "who has ..." -------------------------------------------------------------------


def pledged_orgs(scope: _Scope, year: int) -> QuerySet:
    return Pledge.objects.filter(
        scope.q("owner_org__path"),
        year=year,
        owner_member__isnull=True,
        status__in=PLEDGED_STATUSES,
    ).values("owner_org_id")


def pledged_members(scope: _Scope, year: int) -> QuerySet:
    return Pledge.objects.filter(
        scope.q("owner_org__path"),
        year=year,
        owner_member__isnull=False,
        status__in=PLEDGED_STATUSES,
    ).values("owner_member_id")


def _reports(scope: _Scope, quarter: Quarter, kind: str) -> QuerySet:
    return SelfEvaluation.objects.filter(
        scope.q("organization__path"),
        year=quarter.year,
        quarter=quarter.quarter,
        subject_kind=kind,
        status=SelfEvaluation.Status.SUBMITTED,
    )


def _reviews(scope: _Scope, quarter: Quarter, kind: str) -> QuerySet:
    return Review.objects.filter(
        scope.q("organization__path"),
        year=quarter.year,
        quarter=quarter.quarter,
        subject_kind=kind,
        status__in=REVIEWED_STATUSES,
    )


def reported_orgs(scope: _Scope, quarter: Quarter) -> QuerySet:
    return _reports(scope, quarter, SubjectKind.ORGANIZATION).values("organization_id")


def reviewed_orgs(scope: _Scope, quarter: Quarter) -> QuerySet:
    return _reviews(scope, quarter, SubjectKind.ORGANIZATION).values("organization_id")


def reported_members(scope: _Scope, quarter: Quarter) -> QuerySet:
    return _reports(scope, quarter, SubjectKind.MEMBER).values("member_id")


def reviewed_members(scope: _Scope, quarter: Quarter) -> QuerySet:
    return _reviews(scope, quarter, SubjectKind.MEMBER).values("member_id")


def valid_evaluations(scope: _Scope, year: int, half: int) -> QuerySet:
    """Evaluations of the half with at least MIN_RESPONSES answers: only they count."""
    return (
        MassEvaluation.objects.filter(scope.q("organization__path"), year=year, half=half)
        .annotate(n=Count("responses"))
        .filter(n__gte=MIN_RESPONSES)
        .values("id")
    )


# --- the dashboard -------------------------------------------------------------------------


def dashboard(root: Organization, quarter: Quarter) -> Dashboard:
    """Coverage of the subtree under `root` for a quarter, per child and in total."""
    scope = _Scope(root)
    year = quarter.year
    children = children_of(root)
    own = Row(org=root, label=root.name)
    rows_by_path: dict[str, Row] = {root.path: own}
    for child in children:
        rows_by_path[child.path] = Row(org=child, label=child.name)

    for r in _grouped(
        Organization.objects.filter(scope.q("path")),
        scope.bucket("path"),
        [],
        {
            "total": Count("id"),
            "pledged": Count("id", filter=Q(id__in=pledged_orgs(scope, year))),
            "reported": Count("id", filter=Q(id__in=reported_orgs(scope, quarter))),
            "reviewed": Count("id", filter=Q(id__in=reviewed_orgs(scope, quarter))),
        },
    ):
        row = rows_by_path.get(r["bucket"])
        if row is not None:
            row.orgs.add(Coverage(r["total"], r["pledged"], r["reported"], r["reviewed"]))

    for r in _grouped(
        Member.objects.filter(scope.q("organization__path")),
        scope.bucket("organization__path"),
        [],
        {
            "total": Count("id"),
            "pledged": Count("id", filter=Q(id__in=pledged_members(scope, year))),
            "reported": Count("id", filter=Q(id__in=reported_members(scope, quarter))),
            "reviewed": Count("id", filter=Q(id__in=reviewed_members(scope, quarter))),
        },
    ):
        row = rows_by_path.get(r["bucket"])
        if row is not None:
            row.members.add(Coverage(r["total"], r["pledged"], r["reported"], r["reviewed"]))

    for r in _grouped(
        Review.objects.filter(
            scope.q("organization__path"),
            year=year,
            quarter=quarter.quarter,
            status__in=REVIEWED_STATUSES,
        ),
        scope.bucket("organization__path"),
        ["grade"],
        {"n": Count("id")},
    ):
        if r["bucket"] in rows_by_path:
            rows_by_path[r["bucket"]].grades[r["grade"]] += r["n"]

    for r in _grouped(
        rectification_items(scope, quarter),
        scope.bucket("organization__path"),
        [],
        {
            "n": Count("id"),
            "done": Count("id", filter=Q(status__in=RECTIFIED_STATUSES)),
        },
    ):
        if r["bucket"] in rows_by_path:
            rows_by_path[r["bucket"]].rect_total += r["n"]
            rows_by_path[r["bucket"]].rect_done += r["done"]

    half = half_of(quarter.quarter)
    for r in _grouped(
        EvaluationResponse.objects.filter(evaluation_id__in=valid_evaluations(scope, year, half)),
        scope.bucket("evaluation__organization__path"),
        ["rating"],
        {"n": Count("id")},
    ):
        if r["bucket"] in rows_by_path:
            rows_by_path[r["bucket"]].satisfaction[r["rating"]] += r["n"]

    total = Row(org=root, label=root.name)
    for row in rows_by_path.values():
        total.add(row)
    rows = [rows_by_path[c.path] for c in children]
    # The root's own level is shown as a line of its own when it has children.
    if children:
        own.label = _("%(name)s（本级）") % {"name": root.name}
        rows.insert(0, own)
    return Dashboard(
        root=root,
        quarter=quarter,
        total=total,
        rows=rows,
        trend=trend(scope, year),
        missing=missing(scope, quarter),
    )


def rectification_items(scope: _Scope, quarter: Quarter) -> QuerySet:
    """Items due in the quarter (deadline inside it) of signed reviews, as
    `reviews.selectors.rectification_rate` counts them: the rate is confirmed (销号) / due."""
    return RectificationItem.objects.live().filter(
        scope.q("organization__path"),
        deadline__gte=quarter.start,
        deadline__lte=quarter.end,
    )


def trend(scope: _Scope, year: int) -> list[TrendPoint]:
    """The year's four quarters, for the trend chart: four grouped queries."""
    points = {q: TrendPoint(quarter=Quarter(year, q)) for q in range(1, 5)}
    subtree = scope.q("organization__path")
    for r in (
        SelfEvaluation.objects.filter(subtree, year=year, status=SelfEvaluation.Status.SUBMITTED)
        .values("quarter", "subject_kind")
        .annotate(n=Count("id"))
    ):
        point = points.get(r["quarter"])
        if point is None:
            continue
        if r["subject_kind"] == SubjectKind.ORGANIZATION:
            point.orgs_reported += r["n"]
        elif r["subject_kind"] == SubjectKind.MEMBER:
            point.members_reported += r["n"]
    reviews = Review.objects.filter(subtree, year=year, status__in=REVIEWED_STATUSES)
    for r in reviews.values("quarter", "subject_kind").annotate(
        n=Count("subject_key", distinct=True),
        good=Count("id", filter=Q(grade=Review.Grade.GOOD)),
        graded=Count("id"),
    ):
        point = points.get(r["quarter"])
        if point is None:
            continue
        if r["subject_kind"] == SubjectKind.ORGANIZATION:
            point.orgs_reviewed += r["n"]
        elif r["subject_kind"] == SubjectKind.MEMBER:
            point.members_reviewed += r["n"]
        point.good += r["good"]
        point.graded += r["graded"]
    for r in (
        RectificationItem.objects.live()
        .filter(subtree, deadline__year=year)
        .annotate(due_quarter=ExtractQuarter("deadline"))
        .values("due_quarter")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status__in=RECTIFIED_STATUSES)))
    ):
        point = points.get(r["due_quarter"])
        if point is not None:
            point.rect_total += r["n"]
            point.rect_done += r["done"]
    return [points[q] for q in range(1, 5)]


def missing(scope: _Scope, quarter: Quarter, limit: int = MISSING_LIMIT) -> dict[str, dict]:
    """The first names of those not yet covered; the counts come from the aggregates."""
    orgs = Organization.objects.filter(scope.q("path")).order_by("path")
    members = (
        Member.objects.filter(scope.q("organization__path"))
        .select_related("organization")
        .only("id", "name", "organization__id", "organization__name")
        .order_by("id")
    )
    year = quarter.year
    return {
        "orgs_pledged": list(orgs.exclude(id__in=pledged_orgs(scope, year))[:limit]),
        "orgs_reported": list(orgs.exclude(id__in=reported_orgs(scope, quarter))[:limit]),
        "orgs_reviewed": list(orgs.exclude(id__in=reviewed_orgs(scope, quarter))[:limit]),
        "members_pledged": list(members.exclude(id__in=pledged_members(scope, year))[:limit]),
        "members_reported": list(members.exclude(id__in=reported_members(scope, quarter))[:limit]),
        "members_reviewed": list(members.exclude(id__in=reviewed_members(scope, quarter))[:limit]),
    }


# --- the year page of the annual assessment ---------------------------------------------------


@dataclass
class YearRow:
    """Everything the office weighs for one subject's 一年一总评."""

    kind: str  # "organization" or "member"
    org: Organization
    member: Member | None = None
    pledges_total: int = 0
    pledges_closed: int = 0
    quarter_grades: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    rect_total: int = 0
    rect_done: int = 0
    satisfaction: dict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    assessment: AnnualAssessment | None = None

    @property
    def name(self) -> str:
        return self.member.name if self.member else self.org.name

    @property
    def key(self) -> str:
        return f"m{self.member.pk}" if self.member else f"o{self.org.pk}"

    @property
    def rect_rate(self) -> float | None:
        return _pct(self.rect_done, self.rect_total)

    def grades_by_quarter(self) -> list[list[str]]:
        labels = dict(Review.Grade.choices)
        return [
            [str(labels.get(g, g)) for g in self.quarter_grades.get(q, [])] for q in (1, 2, 3, 4)
        ]

    def halves(self) -> list[dict]:
        """Per half: answers, rate and whether the result is valid (≥ MIN_RESPONSES)."""
        out = []
        for half in (1, 2):
            c = self.satisfaction.get(half, Counter())
            n = sum(c.values())
            out.append(
                {
                    "n": n,
                    "rate": _pct(c["satisfied"] + c["basic"], n),
                    "valid": n >= MIN_RESPONSES,
                }
            )
        return out


def year_rows(org: Organization, year: int) -> list[YearRow]:
    """The organization, its direct children and its members: eight queries in all."""
    orgs = [org, *children_of(org)]
    members = list(Member.objects.filter(organization=org).order_by("id"))
    rows = [YearRow(kind="organization", org=o) for o in orgs]
    rows += [YearRow(kind="member", org=org, member=m) for m in members]
    by_org = {r.org.pk: r for r in rows if r.member is None}
    by_member = {r.member.pk: r for r in rows if r.member is not None}
    org_ids = list(by_org)

    for r in (
        Pledge.objects.filter(owner_org_id__in=org_ids, owner_member__isnull=True, year=year)
        .exclude(status__in=Pledge.EDITABLE_STATUSES)
        .values("owner_org_id")
        .annotate(n=Count("id"), closed=Count("id", filter=Q(status=Pledge.Status.CLOSED)))
    ):
        by_org[r["owner_org_id"]].pledges_total = r["n"]
        by_org[r["owner_org_id"]].pledges_closed = r["closed"]
    for r in (
        Pledge.objects.filter(owner_member__organization=org, year=year)
        .exclude(status__in=Pledge.EDITABLE_STATUSES)
        .values("owner_member_id")
        .annotate(n=Count("id"), closed=Count("id", filter=Q(status=Pledge.Status.CLOSED)))
    ):
        by_member[r["owner_member_id"]].pledges_total = r["n"]
        by_member[r["owner_member_id"]].pledges_closed = r["closed"]

    subjects = Q(organization_id__in=org_ids, subject_kind=SubjectKind.ORGANIZATION) | Q(
        organization=org, subject_kind=SubjectKind.MEMBER
    )

    def target(r: dict) -> YearRow | None:
        if r["subject_kind"] == SubjectKind.MEMBER:
            return by_member.get(r["member_id"])
        return by_org.get(r["organization_id"])

    for r in (
        Review.objects.filter(subjects, year=year, status__in=REVIEWED_STATUSES)
        .order_by("date", "id")
        .values("subject_kind", "organization_id", "member_id", "quarter", "grade")
    ):
        row = target(r)
        if row is not None:
            row.quarter_grades[r["quarter"]].append(r["grade"])
    for r in (
        RectificationItem.objects.live()
        .filter(subjects, deadline__year=year)
        .values("subject_kind", "organization_id", "member_id")
        .annotate(n=Count("id"), done=Count("id", filter=Q(status__in=RECTIFIED_STATUSES)))
        .order_by()
    ):
        row = target(r)
        if row is not None:
            row.rect_total += r["n"]
            row.rect_done += r["done"]

    for r in (
        EvaluationResponse.objects.filter(
            evaluation__organization_id__in=org_ids, evaluation__year=year
        )
        .values("evaluation__organization_id", "evaluation__half", "rating")
        .annotate(n=Count("id"))
    ):
        by_org[r["evaluation__organization_id"]].satisfaction[r["evaluation__half"]][
            r["rating"]
        ] += r["n"]
    for r in (
        MemberRating.objects.filter(member__organization=org, response__evaluation__year=year)
        .values("member_id", "response__evaluation__half", "rating")
        .annotate(n=Count("id"))
    ):
        if r["member_id"] in by_member:
            by_member[r["member_id"]].satisfaction[r["response__evaluation__half"]][
                r["rating"]
            ] += r["n"]

    for a in AnnualAssessment.objects.filter(
        Q(organization_id__in=org_ids, member__isnull=True) | Q(member__organization=org),
        year=year,
    ):
        row = by_member.get(a.member_id) if a.member_id else by_org.get(a.organization_id)
        if row is not None:
            row.assessment = a
    return rows
