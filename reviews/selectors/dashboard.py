"""Reads for the coverage dashboard (全覆盖).

Everything is aggregated in the database: per-child rollups group on the first characters of
the organization path (the child's path), membership in a set ("has pledged") is an uncorrelated
`IN (subquery)` the database hashes once. The number of queries is fixed whatever the tree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractQuarter
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pledges import counts
from pledges.models import Member, Organization, Pledge

from ..models import (
    MIN_RESPONSES,
    EvaluationResponse,
    MassEvaluation,
    Quarter,
    RectificationItem,
    Review,
    SelfEvaluation,
    SubjectKind,
)
from ..selectors.rectification import items_due_in, rate_counts
from .tags import MASS_EVALUATIONS, RECTIFICATION_ITEMS, reviews_tag, self_evaluations_tag

# An organization or member "has pledged" once a pledge has left the draft stage.
PLEDGED_STATUSES = (Pledge.Status.SUBMITTED, *Pledge.FILED_STATUSES)


REVIEWED_STATUSES = (Review.Status.SIGNED, Review.Status.PUBLISHED)


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


class _Scope:
    """One subtree: its organizations' ids mapped to the row (bucket) they roll up into.

    Figures are counted per organization in the database, over narrow indexed columns and
    without joins, each query cached under the tags of the rows it reads; the few thousand
    per-organization rows are then added up per child here. The number of queries never
    depends on the tree."""

    def __init__(self, root: Organization):
        self.root = root
        self.child_len = len(root.path) + Organization.steplen
        rows = (
            Organization.objects.filter(path__startswith=root.path)
            .order_by()
            .values_list("id", "path")
        )
        # A child's whole subtree shares the child's path as prefix; the root's own path is
        # shorter and stands for the root's own level.
        self.bucket_of: dict[int, str] = {
            pk: path[: self.child_len] for pk, path in self.cached(rows, [])
        }
        # The root's own level, then each child's subtree.
        self.buckets = sorted(set(self.bucket_of.values()))
        self.whole_tree = (
            root.depth == 1
            and not Organization.objects.exclude(path__startswith=root.path).exists()
        )

    def cached(self, rows: QuerySet, tags: list[str]) -> list:
        """The rows of a query over the subtree, kept until a row of `tags` (or an
        organization) under the root changes."""
        return counts.cached_rows(self.root, rows, list, tags=tags)

    def ids(self) -> QuerySet:
        """The subtree's organization ids, as an IN (subquery) the database hashes once."""
        return Organization.objects.filter(path__startswith=self.root.path).order_by().values("id")

    def within(self, qs: QuerySet, lookup: str = "organization_id") -> QuerySet:
        """Rows of the subtree. Under a tree's root that is every row: no filter at all, so
        the database can answer from an index alone."""
        if self.whole_tree:
            return qs
        return qs.filter(**{f"{lookup}__in": self.ids()})

    def per_org(
        self,
        qs: QuerySet,
        keys: list[str],
        tags: list[str],
        org_field: str = "organization",
        **aggregates,
    ) -> list:
        """`aggregates` per organization of the subtree (and `keys`), kept per child of the
        root under `tags`: a write under one child counts that child's organizations again,
        not the whole subtree (pledges.counts.cached_per_child)."""

        def grouped(rows: QuerySet) -> QuerySet:
            return rows.values_list(f"{org_field}_id", *keys).annotate(**aggregates).order_by()

        def count(paths: list[str] | None) -> dict[str, list]:
            if paths is None:
                rows = grouped(self.within(qs, f"{org_field}_id"))
            else:
                q = Q()
                for path in paths:
                    # The root's own level is the root alone, not its subtree.
                    if path == self.root.path:
                        q |= Q(**{f"{org_field}_id": self.root.pk})
                    else:
                        q |= Q(**{f"{org_field}__path__startswith": path})
                rows = grouped(qs.filter(q))
            per_child: dict[str, list] = defaultdict(list)
            for row in rows:
                bucket = self.bucket_of.get(row[0])
                if bucket is not None:
                    per_child[bucket].append(row)
            return per_child

        sql, params = grouped(self.within(qs, f"{org_field}_id")).query.sql_with_params()
        per_child = counts.cached_per_child(
            self.root, self.buckets, repr((sql, params)), count, tags
        )
        return [row for rows in per_child.values() for row in rows]

    def q(self, path_lookup: str) -> Q:
        return Q(**{f"{path_lookup}__startswith": self.root.path})


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


def dashboard(root: Organization, quarter: Quarter) -> Dashboard:
    """Coverage of the subtree under `root` for a quarter, per child and in total.

    Kept whole until anything under `root` changes (pledges.counts), per day and language: an
    evaluation whose last day has passed counts from the next, and the labels are translated.
    When something has changed, only the figures over its kind of rows are counted again (see
    the tags above). The other apps' figures are read fresh."""
    name = f"reviews:dashboard:{quarter.code}:{timezone.localdate()}:{get_language()}"
    counted = counts.cached_value(root, name, lambda: _counted(root, quarter))
    return replace(counted, extras=[figure for fn in EXTRA_FIGURES for figure in fn(root, quarter)])


def _counted(root: Organization, quarter: Quarter) -> Dashboard:
    scope = _Scope(root)
    year = quarter.year
    children = children_of(root)
    own = Row(org=root, label=root.name)
    rows_by_path: dict[str, Row] = {root.path: own}
    for child in children:
        rows_by_path[child.path] = Row(org=child, label=child.name)

    # Per organization: which row it adds into (a dict lookup per counted row).
    row_of_org = {
        org_id: rows_by_path[bucket]
        for org_id, bucket in scope.bucket_of.items()
        if bucket in rows_by_path
    }
    for row in row_of_org.values():
        row.orgs.total += 1

    # Counting indexed columns rather than "id": the index answers alone.
    for org_id, n in scope.per_org(
        Member.objects.all(), [], [counts.MEMBERS], n=Count("organization_id")
    ):
        row = row_of_org.get(org_id)
        if row is not None:
            row.members.total += n
    for org_id, members, own_pledges in scope.per_org(
        pledges_of_year(year),
        [],
        [counts.PLEDGES],
        org_field="owner_org",
        members=Count("owner_member_id", distinct=True),
        own=Count("owner_org_id", filter=Q(owner_member__isnull=True)),
    ):
        row = row_of_org.get(org_id)
        if row is not None:
            row.members.pledged += members
            row.orgs.pledged += 1 if own_pledges else 0

    kinds = [SubjectKind.ORGANIZATION, SubjectKind.MEMBER]
    reviewed_tag = reviews_tag(year, quarter.quarter)
    # The trend's point for this quarter is the sum of these figures: not counted twice.
    point = TrendPoint(quarter=quarter)
    for org_id, kind, n in scope.per_org(
        self_evaluations_of(quarter).filter(subject_kind__in=kinds),
        ["subject_kind"],
        [self_evaluations_tag(year, quarter.quarter)],
        n=Count("subject_key", distinct=True),
    ):
        org_kind = kind == SubjectKind.ORGANIZATION
        if org_kind:
            point.orgs_reported += n
        else:
            point.members_reported += n
        row = row_of_org.get(org_id)
        if row is not None:
            (row.orgs if org_kind else row.members).reported += n
    # Integer columns the (year, quarter, status) index carries: read from the index alone.
    # An organization-kind row is one reviewed organization; a member-kind row counts its
    # organization's reviewed members.
    for org_id, kind, members in scope.per_org(
        reviews_of(quarter).filter(subject_kind__in=kinds),
        ["subject_kind"],
        [reviewed_tag],
        members=Count("member_id", distinct=True),
    ):
        org_kind = kind == SubjectKind.ORGANIZATION
        n = 1 if org_kind else members
        if org_kind:
            point.orgs_reviewed += n
        else:
            point.members_reviewed += n
        row = row_of_org.get(org_id)
        if row is not None:
            (row.orgs if org_kind else row.members).reviewed += n
    for org_id, grade, n in scope.per_org(
        reviews_of(quarter), ["grade"], [reviewed_tag], n=Count("organization_id")
    ):
        point.graded += n
        point.good += n if grade == Review.Grade.GOOD else 0
        row = row_of_org.get(org_id)
        if row is not None:
            row.grades[grade] += n
    for org_id, n, done in scope.per_org(
        items_due_in(quarter), [], [RECTIFICATION_ITEMS], **rate_counts()
    ):
        row = row_of_org.get(org_id)
        if row is not None:
            row.rect_total += n
            row.rect_done += done

    half = half_of(quarter.quarter)
    evaluations = scope.within(
        MassEvaluation.objects.filter(MassEvaluation.ended_q(), year=year, half=half)
    )
    org_of_evaluation = dict(
        scope.cached(evaluations.values_list("id", "organization_id"), [MASS_EVALUATIONS])
    )
    per_evaluation: dict[int, list[tuple[str, int]]] = defaultdict(list)
    # Grouped on the (evaluation, rating) index alone; the organization comes from the map.
    answers = (
        EvaluationResponse.objects.filter(evaluation__in=evaluations.values("id"))
        .values_list("evaluation_id", "rating")
        .annotate(n=Count("evaluation_id"))
        .order_by()
    )
    for evaluation_id, rating, n in scope.cached(answers, [MASS_EVALUATIONS]):
        per_evaluation[evaluation_id].append((rating, n))
    for evaluation_id, answered in per_evaluation.items():
        # Only valid results count: at least MIN_RESPONSES answers.
        if sum(n for _r, n in answered) < MIN_RESPONSES:
            continue
        row = row_of_org.get(org_of_evaluation.get(evaluation_id, 0))
        if row is not None:
            for rating, n in answered:
                row.satisfaction[rating] += n

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
        trend=trend(scope, year, known=point),
        missing=missing(scope, quarter),
    )


def trend(scope: _Scope, year: int, known: TrendPoint) -> list[TrendPoint]:
    """The year's four quarters, for the trend chart: two grouped queries for each quarter but
    the one `known` (each kept until that quarter's reports or reviews change) and one for the
    items."""
    points = {q: TrendPoint(quarter=Quarter(year, q)) for q in range(1, 5)}
    if known.quarter.year == year:
        points[known.quarter.quarter] = known
    org_kind = Q(subject_kind=SubjectKind.ORGANIZATION)
    member_kind = Q(subject_kind=SubjectKind.MEMBER)
    for q, point in points.items():
        if point is known:
            continue
        self_evaluations = (
            scope.within(
                SelfEvaluation.objects.filter(
                    year=year, quarter=q, status=SelfEvaluation.Status.SUBMITTED
                )
            )
            .values_list("subject_kind")
            .annotate(n=Count("id"))
            .order_by()
        )
        for kind, n in scope.cached(self_evaluations, [self_evaluations_tag(year, q)]):
            if kind == SubjectKind.ORGANIZATION:
                point.orgs_reported += n
            elif kind == SubjectKind.MEMBER:
                point.members_reported += n
        figures = (
            scope.within(Review.objects.filter(year=year, quarter=q, status__in=REVIEWED_STATUSES))
            .values_list("quarter")
            .annotate(
                orgs=Count("organization_id", distinct=True, filter=org_kind),
                members=Count("member_id", distinct=True, filter=member_kind),
                good=Count("id", filter=Q(grade=Review.Grade.GOOD)),
                graded=Count("id"),
            )
            .order_by()
        )
        for _q, orgs, members, good, graded in scope.cached(figures, [reviews_tag(year, q)]):
            point.orgs_reviewed += orgs
            point.members_reviewed += members
            point.good += good
            point.graded += graded
    items = (
        scope.within(RectificationItem.objects.live().filter(deadline__year=year))
        .annotate(due_quarter=ExtractQuarter("deadline"))
        .values_list("due_quarter")
        .annotate(**rate_counts())
        .order_by()
    )
    for q, n, done in scope.cached(items, [RECTIFICATION_ITEMS]):
        point = points.get(q)
        if point is not None:
            point.rect_total += n
            point.rect_done += done
    return [points[q] for q in range(1, 5)]


def missing(scope: _Scope, quarter: Quarter, limit: int = MISSING_LIMIT) -> dict[str, list]:
    """The first names of those not yet covered (anti-joins that stop at `limit`); the
    counts come from the aggregates."""
    year = quarter.year
    orgs = Organization.objects.filter(scope.q("path")).order_by("path")
    members = (
        Member.objects.filter(scope.q("organization__path"))
        .select_related("organization")
        .only("id", "name", "organization__id", "organization__name")
        .order_by("id")
    )
    # Organizations' own pledges as a set: a correlated anti-join here leads SQLite to look
    # them up through the owner_member index (IS NULL matches every one of them).
    own_pledges = pledges_of_year(year).filter(
        scope.q("owner_org__path"), owner_member__isnull=True
    )
    member_pledge = pledges_of_year(year).filter(owner_member=OuterRef("pk"))

    def subject(qs: QuerySet, kind: str) -> QuerySet:
        if kind == SubjectKind.MEMBER:
            return qs.filter(subject_kind=kind, member=OuterRef("pk"))
        return qs.filter(subject_kind=kind, organization=OuterRef("pk"))

    org_kind, member_kind = SubjectKind.ORGANIZATION, SubjectKind.MEMBER
    reported = self_evaluations_tag(year, quarter.quarter)
    reviewed = reviews_tag(year, quarter.quarter)
    lists = {
        "orgs_pledged": (
            orgs.exclude(id__in=own_pledges.values("owner_org_id")),
            [counts.PLEDGES],
        ),
        "orgs_reported": (
            orgs.filter(~Exists(subject(self_evaluations_of(quarter), org_kind))),
            [reported],
        ),
        "orgs_reviewed": (orgs.filter(~Exists(subject(reviews_of(quarter), org_kind))), [reviewed]),
        "members_pledged": (
            members.filter(~Exists(member_pledge)),
            [counts.MEMBERS, counts.PLEDGES],
        ),
        "members_reported": (
            members.filter(~Exists(subject(self_evaluations_of(quarter), member_kind))),
            [counts.MEMBERS, reported],
        ),
        "members_reviewed": (
            members.filter(~Exists(subject(reviews_of(quarter), member_kind))),
            [counts.MEMBERS, reviewed],
        ),
    }
    return {name: scope.cached(qs[:limit], tags) for name, (qs, tags) in lists.items()}
