"""Reads of 每月评比: the criteria in force, the month page's rows (pre-filled with what the
month's records say), the published standings for the public page, and each member's year of
standings for the annual assessment and for nominations."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, Subquery
from django.utils import timezone

from pledges.models import Member, Organization, Pledge, ProgressRecord

from ..models import (
    DEFAULT_CRITERIA,
    Grade,
    MonthlyRating,
    MonthlyRatingSheet,
    RatingCriteria,
)
from ..models.monthly_rating import GRADE_ORDER


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def parse_month(raw: str | None) -> tuple[int, int]:
    """'2026-03' → (2026, 3); malformed or in the future → this month."""
    today = timezone.localdate()
    try:
        day = datetime.datetime.strptime((raw or "")[:7], "%Y-%m").date()
    except ValueError:
        day = today
    if day > today or day.year < 2000:
        day = today
    return day.year, day.month


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def criteria_for(org: Organization) -> list[str]:
    """The criteria set by the nearest organization at or above `org`, else the default set:
    one query."""
    paths = [*org.ancestor_paths(), org.path]
    nearest = (
        RatingCriteria.objects.filter(organization__path__in=paths)
        .order_by("-organization__path")
        .values_list("names", flat=True)
        .first()
    )
    return list(nearest) if nearest else [str(c) for c in DEFAULT_CRITERIA]


def own_criteria(org: Organization) -> RatingCriteria | None:
    return RatingCriteria.objects.filter(organization=org).first()


@dataclass
class MonthRow:
    """One member on the month page: his rating (if any) and what the month's records say."""

    member: Member
    rating: MonthlyRating | None = None
    records: int = 0
    running: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def no_record(self) -> bool:
        """Running pledges and not one 记实 this month: what the secretary must see first."""
        return self.records == 0


@dataclass
class MonthPage:
    year: int
    month: int
    sheet: MonthlyRatingSheet | None
    criteria: list[str]
    rows: list[MonthRow] = field(default_factory=list)

    @property
    def no_record_count(self) -> int:
        return sum(1 for r in self.rows if r.no_record)

    @property
    def rated_count(self) -> int:
        return sum(1 for r in self.rows if r.rating is not None)


def month_page(org: Organization, year: int, month: int) -> MonthPage:
    """The branch's members with their rating and the month's facts: five queries (four when
    the month has no sheet yet)."""
    start, end = month_bounds(year, month)
    today = timezone.localdate()
    sheet = MonthlyRatingSheet.objects.filter(organization=org, year=year, month=month).first()
    criteria = list(sheet.criteria) if sheet else criteria_for(org)
    members = list(Member.objects.filter(organization=org).order_by("id"))
    page = MonthPage(year, month, sheet, criteria, [MonthRow(m) for m in members])
    by_member = {r.member.pk: r for r in page.rows}
    if sheet is not None:
        for rating in MonthlyRating.objects.filter(sheet=sheet).select_related("edited_by"):
            if rating.member_id in by_member:
                by_member[rating.member_id].rating = rating
    for r in (
        ProgressRecord.objects.filter(
            pledge__owner_member__organization=org, date__gte=start, date__lte=end
        )
        .values("pledge__owner_member_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_member[r["pledge__owner_member_id"]].records = r["n"]
    running = Q(status__in=Pledge.RUNNING_STATUSES)
    for r in (
        Pledge.objects.filter(owner_member__organization=org)
        .values("owner_member_id")
        .annotate(
            running=Count("id", filter=running),
            closed=Count(
                "id",
                filter=Q(status=Pledge.Status.CLOSED, closed_on__gte=start, closed_on__lte=end),
            ),
            overdue=Count("id", filter=running & Q(deadline__lt=min(end, today))),
        )
        .order_by()
    ):
        row = by_member[r["owner_member_id"]]
        row.running, row.closed, row.overdue = r["running"], r["closed"], r["overdue"]
    return page


def published_standings(org: Organization) -> tuple[dict | None, list]:
    """The branch's latest published month ({"year", "month"}) and its members' standings,
    best first (name and grade only: the public page shows nothing else): one query."""
    latest = (
        MonthlyRatingSheet.objects.published()
        .filter(organization=org)
        .order_by("-year", "-month")
        .values("pk")[:1]
    )
    rows = list(
        MonthlyRating.objects.filter(sheet=Subquery(latest)).values_list(
            "sheet__year", "sheet__month", "member__name", "grade"
        )
    )
    if not rows:
        return None, []
    rows.sort(key=lambda r: (GRADE_ORDER[r[3]], r[2]))
    labels = dict(Grade.choices)
    month = {"year": rows[0][0], "month": rows[0][1]}
    return month, [(name, labels[grade]) for _y, _m, name, grade in rows]


def member_standings(member_ids: list[int], year: int) -> dict[int, Counter]:
    """member id → how many published months of `year` he stood at each grade (好 → 差):
    one query, for the annual assessment and for nominations (组织评选)."""
    out: dict[int, Counter] = {pk: Counter() for pk in member_ids}
    for member_id, grade, n in (
        MonthlyRating.objects.filter(
            member_id__in=member_ids,
            sheet__year=year,
            sheet__published_at__isnull=False,
        )
        .values_list("member_id", "grade")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[member_id][grade] += n
    return out


def standing_summary(counts: Counter) -> str:
    """'好×8 较好×2' in grade order; '' for none."""
    labels = dict(Grade.choices)
    return " ".join(f"{labels[g]}×{counts[g]}" for g in GRADE_ORDER if counts.get(g))


def branches_without_sheet(year: int, month: int) -> set[int]:
    """Ids of the organizations that hold members and have no published sheet for the month
    (the reminder's list): two queries."""
    with_members = set(
        Member.objects.order_by().values_list("organization_id", flat=True).distinct()
    )
    done = set(
        MonthlyRatingSheet.objects.published()
        .filter(year=year, month=month)
        .values_list("organization_id", flat=True)
    )
    return with_members - done
