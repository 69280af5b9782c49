"""Reads of 备案: who filed under a committee (counts and a page of branches, a fixed number of
queries however many branches), and what a branch's package will hold."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.periods import Period
from pledges.models import Organization, Pledge

from ..ledgers.review import review_filter
from ..models import Filing, MassEvaluation, RectificationItem, Review

S = Filing.Status
MISSING = "missing"
STATUS_FILTERS = (S.FILED, S.RECEIVED, S.RETURNED, MISSING)


def branches_under(org: Organization) -> QuerySet[Organization]:
    """The organizations that file under `org` (its branches; itself if it is one)."""
    return Organization.objects.filter(path__startswith=org.path, level=Organization.Level.BRANCH)


def filing_counts(org: Organization, period: Period, total: int | None = None) -> dict[str, int]:
    """How many branches under `org` filed, were received, returned, are missing: two queries,
    one when the number of branches (`total`) is known already (the unfiltered page's)."""
    if total is None:
        total = branches_under(org).count()
    counts = dict.fromkeys(STATUS_FILTERS, 0)
    for status, n in (
        Filing.objects.filter(
            organization__path__startswith=org.path,
            organization__level=Organization.Level.BRANCH,
            year=period.year,
            half=period.half,
        )
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[status] = n
    counts[MISSING] = total - sum(counts[s] for s in (S.FILED, S.RECEIVED, S.RETURNED))
    counts["total"] = total
    return counts


def status_rows(org: Organization, period: Period, status: str = "") -> QuerySet[Organization]:
    """The branches under `org` in tree order, those whose filing of the period has `status`
    when one is given ("missing": none). EXISTS and NOT EXISTS: the database anti-joins, the
    city's 7,000 branches are one pass."""
    rows = branches_under(org).order_by("path")
    filings = Filing.objects.filter(organization=OuterRef("pk"), year=period.year, half=period.half)
    if status == MISSING:
        return rows.filter(~Exists(filings))
    if status in STATUS_FILTERS:
        return rows.filter(Exists(filings.filter(status=status)))
    return rows


@dataclass
class StatusRow:
    branch: Organization
    parent: Organization | None
    filing: Filing | None


def status_page_rows(branches: list[Organization], period: Period) -> list[StatusRow]:
    """A page of branches with their filings and the committee above each: two queries."""
    filings = {
        f.organization_id: f
        for f in Filing.objects.filter(
            organization__in=branches, year=period.year, half=period.half
        ).select_related("filed_by", "decided_by")
    }
    parent_paths = {b.path[: -Organization.steplen] for b in branches if b.depth > 1}
    parents = {o.path: o for o in Organization.objects.filter(path__in=parent_paths)}
    return [
        StatusRow(b, parents.get(b.path[: -Organization.steplen]), filings.get(b.pk))
        for b in branches
    ]


def branch_filing(org: Organization, period: Period) -> Filing | None:
    return (
        Filing.objects.filter(organization=org, year=period.year, half=period.half)
        .select_related("filed_by", "decided_by", "package_job")
        .first()
    )


@dataclass(frozen=True)
class PackageContents:
    """What the package of a branch's half-year holds, counted before it is filed."""

    own_pledges: int
    member_pledges: int
    reviews: int
    evaluations: int
    items: int


def package_contents(org: Organization, period: Period) -> PackageContents:
    """Counted as the package counts them (its attachments' rows), in four queries."""
    pledges = Pledge.objects.filter(
        owner_org__path__startswith=org.path,
        year=period.year,
        half__in=(Pledge.Half.WHOLE_YEAR, period.half),
        status__in=Pledge.FILED_STATUSES,
    ).aggregate(
        own=Count("id", filter=Q(owner_member__isnull=True)),
        members=Count("id", filter=Q(owner_member__isnull=False)),
    )
    reviews = (
        Review.objects.filter(organization__path__startswith=org.path, **review_filter(period))
        .exclude(status=Review.Status.DRAFT)
        .count()
    )
    evaluations = MassEvaluation.objects.filter(
        organization__path__startswith=org.path, year=period.year, half=period.half
    ).count()
    items = (
        RectificationItem.objects.live()
        .filter(organization__path__startswith=org.path, **review_filter(period, "review__"))
        .count()
    )
    return PackageContents(pledges["own"], pledges["members"], reviews, evaluations, items)
