"""Changes to 一年一总评: record, clear and publish the year's grades.

Each function is keyword-only, atomic, checks the permission and the state, locks the row it
changes, writes, and records who did it. Views, demo data and tests all go through these."""

from __future__ import annotations

from typing import NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionError
from core.locks import lock_first, lock_row
from pledges.models import Member, Organization

from ..models import (
    AnnualAssessment,
)
from ..rules.assessment import can_publish_assessments, can_record_assessment


@transaction.atomic
def assessment_record(
    *,
    by,
    year: int,
    organization: Organization,
    member: Member | None = None,
    grade: str,
    exemplary: bool = False,
    remark: str = "",
) -> AnnualAssessment:
    """Record (or change, before publication) the year's final grade of one subject."""
    if member is not None and member.organization_id != organization.pk:
        raise TransitionError(_("党员不属于该组织"))
    existing = lock_first(
        AnnualAssessment.objects.filter(year=year, organization=organization, member=member)
    )
    if not can_record_assessment(by, organization, member=member):
        raise PermissionDenied
    if grade not in AnnualAssessment.Grade.values:
        raise TransitionError(_("请选择总评等次：好、较好、一般、差"))
    if exemplary and grade == AnnualAssessment.Grade.POOR:
        raise TransitionError(_("总评为“差”的不能评先评优"))
    if existing is not None and existing.published_at is not None:
        raise TransitionError(_("总评结果已经公示，不能再修改"))
    values = {
        "grade": grade,
        "exemplary": exemplary,
        "remark": remark.strip()[:500],
        "decided_by": by,
        "decided_at": timezone.now(),
    }
    if existing is None:
        try:
            with transaction.atomic():
                return AnnualAssessment.objects.create(
                    year=year, organization=organization, member=member, **values
                )
        except IntegrityError as e:
            # Someone recorded it at the same moment: ask to reload instead of overwriting.
            raise TransitionError(_("该总评刚被他人录入，请刷新页面后重试")) from e
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save(update_fields=list(values))
    return existing


@transaction.atomic
def assessment_clear(*, by, assessment: AnnualAssessment) -> None:
    """Remove an unpublished grade entered by mistake."""
    lock_row(assessment)  # publication running meanwhile is seen: a published grade stays
    if not can_record_assessment(by, assessment.organization, member=assessment.member):
        raise PermissionDenied
    if assessment.published_at is not None:
        raise TransitionError(_("总评结果已经公示，不能再修改"))
    assessment.delete()


@transaction.atomic
def assessments_publish(*, by, organization: Organization, year: int) -> int:
    """Mark the year's grades under `organization` as published (公示); from then on they are
    final. For the publicity app, which puts them on its notices. Returns how many were marked."""
    if not can_publish_assessments(by, organization):
        raise PermissionDenied
    return AnnualAssessment.objects.filter(
        organization__path__startswith=organization.path,
        year=year,
        published_at__isnull=True,
    ).update(published_at=timezone.now())


class AssessmentChange(NamedTuple):
    """One line of the year page as posted: whose grade, the grade on record, the input."""

    organization: Organization
    member: Member | None
    existing: AnnualAssessment | None
    data: dict


def assessments_save(*, by, year: int, changes: list[AssessmentChange]) -> tuple[int, list[str]]:
    """The year page's save: record changed lines, clear emptied ones, leave unchanged ones.
    Each line stands alone: a refused one is named in the returned messages and the others
    are saved. Returns (lines saved, messages)."""
    saved, errors = 0, []
    for change in changes:
        d, a = change.data, change.existing
        if not d["grade"]:
            if a is not None:
                assessment_clear(by=by, assessment=a)
                saved += 1
            continue
        if a and (a.grade, a.exemplary, a.remark) == (d["grade"], d["exemplary"], d["remark"]):
            continue
        try:
            assessment_record(
                by=by,
                year=year,
                organization=change.organization,
                member=change.member,
                grade=d["grade"],
                exemplary=d["exemplary"],
                remark=d["remark"],
            )
        except TransitionError as e:
            name = change.member.name if change.member else change.organization.name
            errors.append(f"{name}：{e}")
        else:
            saved += 1
    return saved, errors
