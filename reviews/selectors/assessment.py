"""Reads of 一年一总评: the year page's rows (everything the office weighs for each subject)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from pledges.models import Member, Organization, Pledge

from ..models import (
    MIN_RESPONSES,
    AnnualAssessment,
    DutyReport,
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    RectificationItem,
    Review,
    SubjectKind,
)
from ..selectors.dashboard import REVIEWED_STATUSES, children_of, pct
from ..selectors.rectification import rate_counts
from .monthly_rating import member_standings, standing_summary


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
    standing: Counter = field(default_factory=Counter)
    duty_report: DutyReport | None = None

    @property
    def standing_summary(self) -> str:
        """The year's published monthly 评比 (members only): '好×8 较好×2'."""
        return standing_summary(self.standing)

    @property
    def duty_tallies(self) -> list:
        return list(self.duty_report.tallies.all()) if self.duty_report else []

    @property
    def name(self) -> str:
        return self.member.name if self.member else self.org.name

    @property
    def key(self) -> str:
        return f"m{self.member.pk}" if self.member else f"o{self.org.pk}"

    @property
    def rect_rate(self) -> float | None:
        return pct(self.rect_done, self.rect_total)

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
                    "rate": pct(c["satisfied"] + c["basic"], n),
                    "valid": n >= MIN_RESPONSES,
                }
            )
        return out


def year_rows(org: Organization, year: int) -> list[YearRow]:
    """The organization, its direct children and its members, each with its pledges, reviews,
    rectification, mass evaluation, monthly 评比 and 述职 with its 测评 side by side: eleven
    queries in all."""
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
        .annotate(**rate_counts())
        .order_by()
    ):
        row = target(r)
        if row is not None:
            row.rect_total += r["due"]
            row.rect_done += r["confirmed"]

    for r in (
        EvaluationResponse.objects.filter(
            MassEvaluation.ended_q("evaluation__"),
            evaluation__organization_id__in=org_ids,
            evaluation__year=year,
        )
        .values("evaluation__organization_id", "evaluation__half", "rating")
        .annotate(n=Count("id"))
    ):
        by_org[r["evaluation__organization_id"]].satisfaction[r["evaluation__half"]][
            r["rating"]
        ] += r["n"]
    for r in (
        MemberRating.objects.filter(
            MassEvaluation.ended_q("response__evaluation__"),
            member__organization=org,
            response__evaluation__year=year,
        )
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
    for member_id, counts in member_standings(list(by_member), year).items():
        by_member[member_id].standing = counts
    for report in DutyReport.objects.filter(
        Q(organization_id__in=org_ids, member__isnull=True) | Q(member__organization=org),
        year=year,
    ).prefetch_related("tallies"):
        row = (
            by_member.get(report.member_id)
            if report.member_id
            else by_org.get(report.organization_id)
        )
        if row is not None:
            row.duty_report = report
    return rows
