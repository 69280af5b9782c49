"""Reads for inspections: the checklist pre-filled from the system's own data for a page of
branches, the rounds and notices a user sees, and the overdue notices the dashboard shows.

The pre-fill is a fixed number of grouped queries for a page of branches (pledges, records,
members, reviews, mass-evaluation answers, rectification items, notices), whatever the page
size: the inspector confirms what the system counted rather than counting."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pledges.models import Member, Organization, Pledge, ProgressRecord

from ..models import (
    MIN_RESPONSES,
    EvaluationResponse,
    InspectionNotice,
    InspectionRound,
    InspectionTarget,
    Quarter,
    RectificationItem,
    Review,
    SubjectKind,
)
from .dashboard import REVIEWED_STATUSES, ExtraFigure


@dataclass
class Fact:
    """What the system knows about one checklist item of one branch: whether it looks met
    (None: the system cannot tell, the inspector decides) and the figures behind it."""

    ok: bool | None
    text: str


@dataclass
class TargetRow:
    target: InspectionTarget
    facts: dict[str, Fact] = field(default_factory=dict)
    notices: list[InspectionNotice] = field(default_factory=list)

    def items(self, checklist: list[dict]) -> list[dict]:
        """The round's checklist for this branch: the system's suggestion, and the answer
        recorded (or, before the check, the suggestion itself)."""
        out = []
        for item in checklist:
            key = item["key"]
            fact = self.facts.get(key, Fact(None, ""))
            recorded = self.target.answers.get(key)
            out.append(
                {
                    "key": key,
                    "id": f"i{self.target.pk}-{key}",
                    "label": item["label"],
                    "fact": fact,
                    "checked": recorded if recorded is not None else bool(fact.ok),
                }
            )
        return out


def half_dates(year: int, half: int) -> tuple[datetime.date, datetime.date]:
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30)
    return datetime.date(year, 7, 1), datetime.date(year, 12, 31)


def targets_of(inspection: InspectionRound) -> QuerySet:
    """The round's branches in path order: the order they were made in (no sort of a city's
    branches for each page)."""
    return (
        InspectionTarget.objects.filter(round=inspection)
        .select_related("organization")
        .order_by("id")
    )


def prefill(inspection: InspectionRound, targets: list[InspectionTarget]) -> list[TargetRow]:
    """The checklist facts for a page of a round's branches: seven grouped queries."""
    rows = [TargetRow(target=t) for t in targets]
    org_ids = [t.organization_id for t in targets]
    if not org_ids:
        return rows
    year, half = inspection.year, inspection.half
    start, end = half_dates(year, half)
    today = timezone.localdate()
    due_by = min(today, end)

    filed = Pledge.objects.filter(
        owner_org_id__in=org_ids, year=year, status__in=Pledge.FILED_STATUSES
    )
    pledges = {
        org_id: (total, public, ended)
        for org_id, total, public, ended in filed.values_list("owner_org_id")
        .annotate(
            total=Count("id"),
            public=Count("id", filter=Q(status__in=Pledge.PUBLIC_STATUSES)),
            ended=Count("id", filter=Q(status__in=Pledge.ENDED_STATUSES)),
        )
        .order_by()
    }
    # Running pledges with a record this half: from the pledges of the page's branches into
    # their records (the pledge index), never a scan of every record of the half.
    recorded = dict(
        ProgressRecord.objects.filter(
            pledge__in=filed.exclude(status__in=Pledge.ENDED_STATUSES),
            date__gte=start,
            date__lte=end,
        )
        .values_list("pledge__owner_org_id")
        .annotate(n=Count("pledge_id", distinct=True))
        .order_by()
    )
    members = dict(
        Member.objects.filter(organization_id__in=org_ids)
        .values_list("organization_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    quarters = [2 * half - 1, 2 * half]
    reviews = {
        org_id: (own, reviewed)
        for org_id, own, reviewed in Review.objects.filter(
            organization_id__in=org_ids,
            year=year,
            quarter__in=quarters,
            status__in=REVIEWED_STATUSES,
        )
        .values_list("organization_id")
        .annotate(
            own=Count("id", filter=Q(subject_kind=SubjectKind.ORGANIZATION)),
            reviewed=Count("member_id", distinct=True, filter=Q(subject_kind=SubjectKind.MEMBER)),
        )
        .order_by()
    }
    answers: dict[int, int] = defaultdict(int)
    for org_id, n in (
        EvaluationResponse.objects.filter(
            evaluation__organization_id__in=org_ids,
            evaluation__year=year,
            evaluation__half=half,
        )
        .values_list("evaluation__organization_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        answers[org_id] = max(answers[org_id], n)
    items = {
        org_id: (total, closed)
        for org_id, total, closed in RectificationItem.objects.live()
        .filter(organization_id__in=org_ids, deadline__lte=due_by)
        .values_list("organization_id")
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(status=RectificationItem.Status.CONFIRMED)),
        )
        .order_by()
    }
    notices: dict[int, list[InspectionNotice]] = defaultdict(list)
    for notice in InspectionNotice.objects.filter(target__in=[t.pk for t in targets]).order_by(
        "id"
    ):
        notices[notice.target_id].append(notice)

    for row in rows:
        org_id = row.target.organization_id
        total, public, ended = pledges.get(org_id, (0, 0, 0))
        kept = ended + recorded.get(org_id, 0)
        own, reviewed = reviews.get(org_id, (0, 0))
        n_members = members.get(org_id, 0)
        responses = answers.get(org_id, 0)
        due, closed = items.get(org_id, (0, 0))
        row.facts = {
            "pledges_public": Fact(
                total > 0 and public == total,
                _("已亮诺 %(public)d / %(total)d 项") % {"public": public, "total": total},
            ),
            "ledger_kept": Fact(
                total > 0 and kept == total,
                _("本半年有记实或已办结 %(kept)d / %(total)d 项") % {"kept": kept, "total": total},
            ),
            "reviews_done": Fact(
                own > 0 and reviewed >= n_members,
                _("支部点评 %(own)d 次；党员点评 %(reviewed)d / %(members)d 人")
                % {"own": own, "reviewed": reviewed, "members": n_members},
            ),
            "evaluation_30": Fact(
                responses >= MIN_RESPONSES,
                _("参评 %(n)d 人") % {"n": responses},
            ),
            "rectification_closed": Fact(
                closed == due,
                _("到期整改 %(due)d 项，已销号 %(closed)d 项") % {"due": due, "closed": closed},
            ),
        }
        row.notices = notices.get(row.target.pk, [])
    return rows


def rounds_for(user) -> QuerySet:
    return InspectionRound.objects.visible_to(user).select_related("organization")


def notices_for(user) -> QuerySet:
    return (
        InspectionNotice.objects.visible_to(user)
        .select_related("organization", "committee")
        .order_by("-issued_on", "-id")
    )


def result_counts(inspection: InspectionRound) -> dict[str, int]:
    """How many branches of the round are pending, passed, with findings (one query)."""
    counts = dict(
        InspectionTarget.objects.filter(round=inspection)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status in InspectionTarget.Status.values}


OVERDUE_LABEL = gettext_lazy("逾期未整改的整改通知书")


def overdue_notice_figures(root: Organization, quarter: Quarter) -> list[ExtraFigure]:
    """The dashboard's figure: notices under the root past their deadline (one query)."""
    n = InspectionNotice.objects.overdue().filter(organization__path__startswith=root.path).count()
    return [ExtraFigure(label=str(OVERDUE_LABEL), value=n)]
