"""Reads of 自查自评: pledge facts, reports owed, the submitted report of a quarter."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    Q,
    QuerySet,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from pledges.models import Organization, Pledge
from pledges.models.position import roles_of

from ..models import (
    Quarter,
    SelfEvaluation,
    Subject,
    SubjectKind,
)


def self_evaluation_initial(subject: Subject, quarter: Quarter) -> dict:
    """Pre-filled pledge facts and a sentence summarising them, for a new report."""
    facts = pledge_facts(subject, quarter.year)
    notes = _(
        "本年度承诺 %(total)d 项：已兑现 %(closed)d 项，推进中 %(in_progress)d 项，"
        "滞后 %(behind)d 项。"
    ) % {
        "total": facts["pledges_total"],
        "closed": facts["pledges_closed"],
        "in_progress": facts["pledges_in_progress"],
        "behind": facts["pledges_behind"],
    }
    return {**facts, "pledge_notes": notes}


def submitted_self_evaluation(subject: Subject, year: int, quarter: int) -> SelfEvaluation | None:
    return SelfEvaluation.objects.filter(
        subject_key=subject.key,
        year=year,
        quarter=quarter,
        status=SelfEvaluation.Status.SUBMITTED,
    ).first()


def subject_pledges(subject: Subject, year: int) -> QuerySet[Pledge]:
    qs = Pledge.objects.filter(owner_org=subject.organization, year=year)
    if subject.kind == SubjectKind.MEMBER:
        return qs.filter(owner_member=subject.member)
    return qs.filter(owner_member__isnull=True)


def pledge_facts(subject: Subject, year: int, today: datetime.date | None = None) -> dict:
    """The subject's filed pledges this year by state, in one aggregate query."""
    today = today or timezone.localdate()
    running = Q(status__in=Pledge.RUNNING_STATUSES)
    return subject_pledges(subject, year).aggregate(
        pledges_total=Count("id", filter=Q(status__in=Pledge.FILED_STATUSES)),
        pledges_closed=Count("id", filter=Q(status=Pledge.Status.CLOSED)),
        pledges_in_progress=Count("id", filter=running & Q(deadline__gte=today)),
        pledges_behind=Count(
            "id", filter=Q(status=Pledge.Status.UNFULFILLED) | (running & Q(deadline__lt=today))
        ),
    )


def self_evaluations_owed(user, quarter: Quarter) -> list[tuple[Subject, SelfEvaluation | None]]:
    """Reports the user writes: his own as a member; his organization's and his own as
    secretary. Two queries."""
    roles = roles_of(user)
    subjects = []
    if roles.member is not None:
        subjects.append(Subject(SubjectKind.MEMBER, roles.member.organization, roles.member))
    sec_ids = roles.org_ids(roles.SECRETARY_KINDS)
    if sec_ids:
        for org in Organization.objects.filter(pk__in=sec_ids):
            subjects.append(Subject(SubjectKind.ORGANIZATION, org))
            subjects.append(Subject(SubjectKind.SECRETARY, org))
    if not subjects:
        return []
    self_evaluations = {
        r.subject_key: r
        for r in SelfEvaluation.objects.filter(
            subject_key__in=[s.key for s in subjects], year=quarter.year, quarter=quarter.quarter
        )
    }
    return [(s, self_evaluations.get(s.key)) for s in subjects]


def self_evaluation_of(subject: Subject, quarter: Quarter) -> SelfEvaluation | None:
    """The subject's report for the quarter, draft or submitted."""
    return SelfEvaluation.objects.filter(
        subject_key=subject.key, year=quarter.year, quarter=quarter.quarter
    ).first()
