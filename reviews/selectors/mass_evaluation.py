"""Reads of a 群众评议: its results (群众评议情况统计表), the list, the opinions, the codes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from pledges.models import Member, Pledge

from ..models import (
    MIN_RESPONSES,
    EvaluationCode,
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    Satisfaction,
)


@dataclass
class ResultRow:
    """One line of the 群众评议情况统计表."""

    name: str
    kind: str
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    member: Member | None = None

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def rate(self) -> float | None:
        """(满意 + 基本满意) / 参评人数, or None with no answers."""
        return (self.satisfied + self.basic) / self.total if self.total else None

    @property
    def rate_percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def _counts(**filters) -> dict:
    S = Satisfaction
    return {
        "satisfied": Count("id", filter=Q(rating=S.SATISFIED, **filters)),
        "basic": Count("id", filter=Q(rating=S.BASIC, **filters)),
        "unsatisfied": Count("id", filter=Q(rating=S.UNSATISFIED, **filters)),
    }


@dataclass
class Results:
    evaluation: MassEvaluation
    organization: ResultRow
    members: list[ResultRow]
    codes_issued: int
    codes_used: int

    @property
    def responses(self) -> int:
        return self.organization.total

    @property
    def is_valid(self) -> bool:
        return self.responses >= MIN_RESPONSES

    @property
    def min_responses(self) -> int:
        return MIN_RESPONSES

    @property
    def rows(self) -> list[ResultRow]:
        return [self.organization, *self.members]


def mass_evaluation_results(evaluation: MassEvaluation) -> Results:
    """Counts and rates for the organization and each member: four queries whatever the size."""
    org_counts = EvaluationResponse.objects.filter(evaluation=evaluation).aggregate(**_counts())
    org_row = ResultRow(name=evaluation.organization.name, kind=_("党组织"), **org_counts)
    per_member = {
        row["member_id"]: row
        for row in MemberRating.objects.filter(response__evaluation=evaluation)
        .values("member_id")
        .annotate(**_counts())
    }
    member_rows = []
    for member in evaluation.members.order_by("id"):
        row = per_member.get(member.pk, {})
        member_rows.append(
            ResultRow(
                name=member.name,
                kind=_("党员"),
                member=member,
                satisfied=row.get("satisfied", 0),
                basic=row.get("basic", 0),
                unsatisfied=row.get("unsatisfied", 0),
            )
        )
    codes = EvaluationCode.objects.filter(evaluation=evaluation).aggregate(
        issued=Count("id"), used=Count("id", filter=Q(used_at__isnull=False))
    )
    return Results(
        evaluation=evaluation,
        organization=org_row,
        members=member_rows,
        codes_issued=codes["issued"],
        codes_used=codes["used"],
    )


def mass_evaluation_list(user) -> QuerySet[MassEvaluation]:
    """The evaluations the user may see, with their response counts (one query per page)."""
    responses = (
        EvaluationResponse.objects.filter(evaluation=OuterRef("pk"))
        .order_by()
        .values("evaluation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        MassEvaluation.objects.visible_to(user)
        .select_related("organization")
        .annotate(n_responses=Coalesce(Subquery(responses, output_field=IntegerField()), 0))
        .order_by("-year", "-half", "organization__path")
    )


def opinions(evaluation: MassEvaluation) -> QuerySet[EvaluationResponse]:
    return (
        EvaluationResponse.objects.filter(evaluation=evaluation)
        .exclude(opinion="")
        .only("opinion", "rating")
        # Not in the order they came in: who answered when must not point to an answer.
        .order_by("opinion", "rating", "id")
    )


def unused_codes(evaluation: MassEvaluation) -> QuerySet[EvaluationCode]:
    return EvaluationCode.objects.filter(evaluation=evaluation, used_at__isnull=True).order_by("id")


def public_pledges(evaluation: MassEvaluation) -> QuerySet[Pledge]:
    """The organization's own public pledges of the year, shown on the evaluator's form."""
    return Pledge.objects.filter(
        owner_org=evaluation.organization,
        owner_member__isnull=True,
        year=evaluation.year,
        status__in=Pledge.PUBLIC_STATUSES,
    ).order_by("id")
