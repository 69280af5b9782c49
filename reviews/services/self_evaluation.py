"""Changes to 自查自评 (the subject's quarterly report).

Each function is keyword-only, atomic, checks the permission and the state, locks the row it
changes, writes, and records who did it. Views, demo data and tests all go through these."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionError
from core.locks import lock_first, lock_rows
from core.text import LONG_TEXT_MAX, checked_text
from core.versions import check_edit, check_version, stamp
from pledges.models import Member, Organization

from ..models import (
    Quarter,
    SelfEvaluation,
    Subject,
    SubjectKind,
)
from ..rules.calendar import period_of
from ..rules.self_evaluation import can_write_self_evaluation
from ..selectors.self_evaluation import pledge_facts


@dataclass(frozen=True)
class SelfEvaluationContent:
    pledge_notes: str = ""
    highlights: str = ""
    shortcomings: str = ""
    next_steps: str = ""


def lock_subject(subject: Subject) -> None:
    """Serialise writes about one subject: a double-posted form or a second tab waits here
    and then sees the first one's review."""
    if subject.kind == SubjectKind.MEMBER:
        rows = Member.objects.filter(pk=subject.member.pk)
    else:
        rows = Organization.objects.filter(pk=subject.organization.pk)
    lock_rows(rows)


@transaction.atomic
def self_evaluation_save(
    *,
    by,
    subject: Subject,
    quarter: Quarter,
    content: SelfEvaluationContent,
    version: int | None,
    submit: bool = False,
) -> SelfEvaluation:
    """Write (or rewrite) the subject's quarterly report; submitting freezes the pledge facts."""
    lock_subject(subject)  # a double-posted first save makes one report, not an error
    if not can_write_self_evaluation(by, subject):
        raise PermissionDenied
    # 先报后评 under a half-yearly cadence: the report is of the half, filed as its review is.
    quarter = period_of(subject.organization, quarter)
    self_evaluation = lock_first(
        SelfEvaluation.objects.filter(
            subject_key=subject.key, year=quarter.year, quarter=quarter.quarter
        )
    )
    if self_evaluation is not None and self_evaluation.status == SelfEvaluation.Status.SUBMITTED:
        raise TransitionError(_("该季度的自查自评已报送，不能再修改"))
    values = {
        name: checked_text(
            value, LONG_TEXT_MAX, str(SelfEvaluation._meta.get_field(name).verbose_name)
        )
        for name, value in asdict(content).items()
    }
    if self_evaluation is not None:
        # Two tabs (or the member and the secretary) on one report: refuse the older one.
        check_edit(self_evaluation, version, label=_("自查自评"), values=values)
    elif version is None:
        check_version(current=0, sent=None, label=_("自查自评"))
    if submit and not (content.highlights.strip() and content.shortcomings.strip()):
        raise TransitionError(_("报送前请填写主要成绩和存在不足"))
    if self_evaluation is None:
        self_evaluation = SelfEvaluation(
            **subject.fields(), year=quarter.year, quarter=quarter.quarter, author=by
        )
    for name, value in values.items():
        setattr(self_evaluation, name, value)
    stamp(self_evaluation, by)
    if submit:
        for name, value in pledge_facts(subject, quarter.year).items():
            setattr(self_evaluation, name, value)
        self_evaluation.status = SelfEvaluation.Status.SUBMITTED
        self_evaluation.submitted_at = timezone.now()
    self_evaluation.save()
    return self_evaluation
