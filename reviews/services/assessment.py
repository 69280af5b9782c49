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
from core.versions import check_version, stamp
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
    version: int | None = 0,
) -> AnnualAssessment:
    """Record (or change, before publication) the year's final grade of one subject.
    `version` is the grade's edit_version the form was rendered with, 0 when there was none:
    a grade saved by someone else in between is refused, never overwritten."""
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
    _check_assessment_version(existing, version)
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
                    year=year,
                    organization=organization,
                    member=member,
                    edited_by=by,
                    edited_at=values["decided_at"],
                    **values,
                )
        except IntegrityError as e:
            # Someone recorded it at the same moment: ask to reload instead of overwriting.
            raise TransitionError(_("该总评刚被他人录入，请刷新页面后重试")) from e
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save(update_fields=[*values, *stamp(existing, by)])
    return existing


def _check_assessment_version(existing: AnnualAssessment | None, version: int | None) -> None:
    """The grade on record must be the one the form showed (0: none was shown)."""
    check_version(
        current=existing.edit_version if existing else 0,
        sent=version,
        label=_("总评"),
        # A grade recorded before grades were stamped: who decided it is who saved it.
        who=(existing.edited_by or existing.decided_by) if existing else None,
        when=(existing.edited_at or existing.decided_at) if existing else None,
    )


@transaction.atomic
def assessment_clear(*, by, assessment: AnnualAssessment, version: int | None) -> None:
    """Remove an unpublished grade entered by mistake: only the one the form showed."""
    lock_row(assessment)  # publication running meanwhile is seen: a published grade stays
    if not can_record_assessment(by, assessment.organization, member=assessment.member):
        raise PermissionDenied
    if assessment.published_at is not None:
        raise TransitionError(_("总评结果已经公示，不能再修改"))
    _check_assessment_version(assessment, version)
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
    """One line of the year page as posted: whose grade, the grade on record now, the input
    (grade, exemplary, remark, clear, and the version the line was rendered with)."""

    organization: Organization
    member: Member | None
    existing: AnnualAssessment | None
    data: dict


def _line_name(change: AssessmentChange) -> str:
    return change.member.name if change.member else change.organization.name


def _save_line(*, by, year: int, change: AssessmentChange) -> bool:
    """Save one line; False when it asks for no change. A line that was blank when rendered
    and is blank when posted changes nothing, whatever was saved meanwhile: only the explicit
    "clear" removes a grade, and only the version the line was rendered with."""
    d, a = change.data, change.existing
    if d.get("clear"):
        if a is None:
            return False  # already gone: clearing twice is the same as once
        assessment_clear(by=by, assessment=a, version=d.get("version"))
        return True
    if not d["grade"]:
        if a is not None and d.get("version") == a.edit_version:
            raise TransitionError(_("如需清除已录入的总评，请勾选“清除”"))
        return False
    if a and (a.grade, a.exemplary, a.remark) == (d["grade"], d["exemplary"], d["remark"]):
        return False
    assessment_record(
        by=by,
        year=year,
        organization=change.organization,
        member=change.member,
        grade=d["grade"],
        exemplary=d["exemplary"],
        remark=d["remark"],
        version=d.get("version"),
    )
    return True


def assessments_save(*, by, year: int, changes: list[AssessmentChange]) -> tuple[int, list[str]]:
    """The year page's save: record changed lines, clear the lines marked "clear", leave the
    others. Each line carries its own version and stands alone: a refused one is named in the
    returned messages and the others are saved. Returns (lines saved, messages)."""
    saved, errors = 0, []
    for change in changes:
        try:
            saved += _save_line(by=by, year=year, change=change)
        except TransitionError as e:
            errors.append(f"{_line_name(change)}：{e}")
    return saved, errors
