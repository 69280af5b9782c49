"""Changes to inspections (半年一检查): open a round (定期检查 or a drawn 不定期抽查), edit its
checklist, record a branch's result, issue a 整改通知书, answer it with evidence, re-check it
(复验: passed, or back to the branch), close the round.

Each function is keyword-only, atomic, checks the permission and the state, locks the row it
changes, writes, and records who did it (and, for notices, a dated event)."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import is_sane
from core.errors import TransitionError
from core.locks import lock_row, lock_rows
from core.notifications.events import notify
from core.text import LONG_TEXT_MAX, REASON_MAX, TITLE_MAX, checked_text
from core.versions import check_edit, stamp
from pledges.models import Organization

from ..models import (
    DEFAULT_CHECKLIST,
    InspectionEvidence,
    InspectionNotice,
    InspectionNoticeEvent,
    InspectionRound,
    InspectionTarget,
)
from ..models.inspection import CHECKLIST_LABEL_MAX, MAX_CHECKLIST_ITEMS
from ..rules.inspection import (
    can_answer_inspection_notice,
    can_recheck_inspection_notice,
    can_run_inspection,
)

NoticeStatus = InspectionNotice.Status
NoticeAction = InspectionNoticeEvent.Action
DEFAULT_KEYS = tuple(key for key, _label in DEFAULT_CHECKLIST)


def branches_under(org: Organization) -> list[int]:
    """The ids of the 党支部 in the subtree, in path order (the order a sample is drawn from)."""
    return list(
        Organization.objects.filter(path__startswith=org.path, level=Organization.Level.BRANCH)
        .order_by("path")
        .values_list("id", flat=True)
    )


def draw_sample(branch_ids: Sequence[int], size: int, seed: int) -> list[int]:
    """The branches a spot check visits: the same seed over the same branches draws the same
    sample, so anyone can re-draw it from the round's recorded seed and check it."""
    return sorted(random.Random(seed).sample(sorted(branch_ids), size))


def default_checklist() -> list[dict]:
    return [{"key": key, "label": str(label)} for key, label in DEFAULT_CHECKLIST]


@transaction.atomic
def inspection_round_open(
    *,
    by,
    organization: Organization,
    kind: str,
    year: int,
    half: int,
    title: str = "",
    sample_size: int | None = None,
    seed: int | None = None,
) -> InspectionRound:
    """A round over the subtree's branches: all of them, or (spot check) `sample_size` drawn
    with `seed` (the system draws one when none is given; it is recorded either way)."""
    if not can_run_inspection(by, organization):
        raise PermissionDenied
    if kind not in InspectionRound.Kind.values:
        raise TransitionError(_("请选择检查方式"))
    if half not in (1, 2) or not 2000 <= year <= 2100:
        raise TransitionError(_("请选择检查的半年"))
    branch_ids = branches_under(organization)
    if not branch_ids:
        raise TransitionError(_("该党组织下没有党支部"))
    if kind == InspectionRound.Kind.SPOT:
        if sample_size is None or not 1 <= sample_size <= len(branch_ids):
            raise TransitionError(_("抽查数量应在 1 到 %(n)d 之间") % {"n": len(branch_ids)})
        seed = secrets.randbelow(2**31) if seed is None else seed
        drawn = set(draw_sample(branch_ids, sample_size, seed))
        branch_ids = [pk for pk in branch_ids if pk in drawn]
    else:
        sample_size = seed = None
        # Also what a double-posted form meets: one half-yearly check, not two.
        lock_rows(Organization.objects.filter(pk=organization.pk))
        if InspectionRound.objects.filter(
            organization=organization, year=year, half=half, kind=kind
        ).exists():
            raise TransitionError(_("该党组织本半年的定期检查已经发起"))
    half_label = _("上半年") if half == 1 else _("下半年")
    title = checked_text(title, TITLE_MAX, _("名称")) or _("%(org)s %(year)d年%(half)s%(kind)s") % {
        "org": organization.name,
        "year": year,
        "half": half_label,
        "kind": InspectionRound.Kind(kind).label,
    }
    try:
        with transaction.atomic():
            inspection = InspectionRound.objects.create(
                organization=organization,
                kind=kind,
                year=year,
                half=half,
                title=title,
                checklist=default_checklist(),
                sample_size=sample_size,
                seed=seed,
                opened_by=by,
            )
    except IntegrityError as e:
        raise TransitionError(_("该党组织本半年的定期检查已经发起")) from e
    # In path order, so that the id order is the page order (selectors.inspection.targets_of).
    InspectionTarget.objects.bulk_create(
        [InspectionTarget(round=inspection, organization_id=pk) for pk in branch_ids],
        batch_size=1000,
    )
    return inspection


@transaction.atomic
def inspection_checklist_edit(
    *,
    inspection: InspectionRound,
    by,
    keys: Sequence[str],
    extra: Sequence[str],
    version: int | None,
) -> InspectionRound:
    """The office keeps the default items it wants (`keys`) and adds its own (`extra`, one
    label each). Answers already recorded stay under their key."""
    lock_row(inspection)
    if not can_run_inspection(by, inspection.organization):
        raise PermissionDenied
    if inspection.status != InspectionRound.Status.OPEN:
        raise TransitionError(_("检查已结束"))
    labels = {item["key"]: item["label"] for item in default_checklist()}
    items = [{"key": key, "label": labels[key]} for key in DEFAULT_KEYS if key in set(keys)]
    extra = [checked_text(e, CHECKLIST_LABEL_MAX, _("检查项")) for e in extra]
    items += [{"key": f"c{i}", "label": label} for i, label in enumerate(extra, 1) if label]
    if not items:
        raise TransitionError(_("检查清单至少要有一项"))
    if len(items) > MAX_CHECKLIST_ITEMS:
        raise TransitionError(_("检查清单最多 %(n)d 项") % {"n": MAX_CHECKLIST_ITEMS})
    check_edit(inspection, version, label=_("检查清单"), values={"checklist": items})
    inspection.checklist = items
    inspection.save(update_fields=["checklist", *stamp(inspection, by)])
    return inspection


@transaction.atomic
def inspection_target_check(
    *,
    target: InspectionTarget,
    by,
    answers: dict[str, bool],
    remark: str = "",
    version: int | None,
) -> InspectionTarget:
    """The inspector confirms each item for the branch: all met → 合格, else 发现问题."""
    lock_row(target)
    inspection = target.round
    inspection.refresh_from_db(fields=["status"])  # closed after the caller loaded it?
    if not can_run_inspection(by, inspection.organization):
        raise PermissionDenied
    if inspection.status != InspectionRound.Status.OPEN:
        raise TransitionError(_("检查已结束，不能再确认检查结果"))
    remark = checked_text(remark, REASON_MAX, _("检查意见"))
    result = {item["key"]: bool(answers.get(item["key"])) for item in inspection.checklist}
    check_edit(target, version, label=_("检查结果"), values={"answers": result, "remark": remark})
    target.answers, target.remark = result, remark
    target.status = (
        InspectionTarget.Status.PASSED if all(result.values()) else InspectionTarget.Status.FINDINGS
    )
    target.checked_by, target.checked_at = by, timezone.now()
    target.save(
        update_fields=[
            "answers",
            "remark",
            "status",
            "checked_by",
            "checked_at",
            *stamp(target, by),
        ]
    )
    return target


# How many unchecked branches a refusal to close names before "等".
UNCHECKED_NAMED = 5


@transaction.atomic
def inspection_round_close(
    *, inspection: InspectionRound, by, version: int | None
) -> InspectionRound:
    """The office ends the round (已结束): no more results, checklist edits or new notices;
    the notices already issued go on to their 复验 (answer and re-check are not refused).

    A round closes only when every branch has a result. We refuse rather than close with the
    unchecked branches left as 待检查: once closed nobody can record them any more, and the
    results ledger would carry a 待检查 row for good that reads as "not inspected" in the
    half-year's record. The refusal names them, so the office checks them (a branch it could
    not visit gets a result with the reason in the remark) and then closes. `version` is the
    round's edit_version the page showed: a close made on an older page is refused."""
    lock_row(inspection)
    if not can_run_inspection(by, inspection.organization):
        raise PermissionDenied
    if inspection.status != InspectionRound.Status.OPEN:
        raise TransitionError(_("检查已结束"))
    check_edit(inspection, version, label=_("检查"))
    # A result or a notice locks its target, then reads the round's state: locking every
    # target here waits for those under way and makes those after read 已结束.
    lock_rows(InspectionTarget.objects.filter(round=inspection))
    pending = InspectionTarget.objects.filter(
        round=inspection, status=InspectionTarget.Status.PENDING
    )
    names = list(
        pending.order_by("id").values_list("organization__name", flat=True)[: UNCHECKED_NAMED + 1]
    )
    if names:
        n = pending.count()
        listed = "、".join(names[:UNCHECKED_NAMED]) + (_("等") if n > UNCHECKED_NAMED else "")
        raise TransitionError(
            _("还有 %(n)d 个党支部未检查（%(names)s），全部确认检查结果后才能结束检查")
            % {"n": n, "names": listed}
        )
    inspection.status = InspectionRound.Status.CLOSED
    inspection.closed_by, inspection.closed_at = by, timezone.now()
    inspection.save(update_fields=["status", "closed_by", "closed_at", *stamp(inspection, by)])
    return inspection


def _next_number(committee: Organization, year: int) -> str:
    # Numbers run per committee and year: lock it so two notices issued at once get two.
    lock_rows(Organization.objects.filter(pk=committee.pk))
    last = (
        InspectionNotice.objects.filter(committee=committee, year=year)
        .aggregate(m=Max("number"))
        .get("m")
    )
    return f"{year}-{int(last.split('-')[1]) + 1 if last else 1:03d}"


def _event(notice: InspectionNotice, by, action: str, remark: str = "") -> None:
    InspectionNoticeEvent.objects.create(notice=notice, actor=by, action=action, remark=remark)


@transaction.atomic
def inspection_notice_issue(
    *,
    target: InspectionTarget,
    by,
    problems: str,
    requirements: str,
    deadline: datetime.date,
) -> InspectionNotice:
    """整改通知书 to the branch for what the inspection found."""
    lock_row(target)
    inspection = target.round
    inspection.refresh_from_db(fields=["status"])  # closed after the caller loaded it?
    if not can_run_inspection(by, inspection.organization):
        raise PermissionDenied
    if inspection.status != InspectionRound.Status.OPEN:
        raise TransitionError(_("检查已结束，不能再下达整改通知书"))
    if not (problems.strip() and requirements.strip()):
        raise TransitionError(_("请写明存在问题和整改要求"))
    today = timezone.localdate()
    if not is_sane(deadline):
        raise TransitionError(_("整改时限应在 2000 年至 2100 年之间"))
    if deadline <= today:
        raise TransitionError(_("整改时限应晚于今天"))
    problems = checked_text(problems, LONG_TEXT_MAX, _("存在问题"))
    requirements = checked_text(requirements, LONG_TEXT_MAX, _("整改要求"))
    if target.notices.filter(
        status__in=[*InspectionNotice.PENDING_STATUSES, NoticeStatus.ANSWERED], problems=problems
    ).exists():
        # A double-posted form: one notice, not two.
        raise TransitionError(_("已就同一问题下达整改通知书"))
    committee = inspection.organization
    notice = InspectionNotice.objects.create(
        target=target,
        organization_id=target.organization_id,
        committee=committee,
        year=today.year,
        number=_next_number(committee, today.year),
        problems=problems,
        requirements=requirements,
        deadline=deadline,
        issued_by=by,
        issued_on=today,
    )
    if target.status == InspectionTarget.Status.PENDING:
        target.status = InspectionTarget.Status.FINDINGS
        target.checked_by, target.checked_at = by, timezone.now()
        target.save(update_fields=["status", "checked_by", "checked_at", *stamp(target, by)])
    _event(notice, by, NoticeAction.ISSUE, deadline.isoformat())
    notify(kind="inspection_notice_issued", subject=notice, by=by)
    return notice


@transaction.atomic
def inspection_notice_answer(
    *,
    notice: InspectionNotice,
    by,
    answer: str,
    files: Sequence[UploadedFile] = (),
) -> InspectionNotice:
    """The branch reports what it did, with evidence; the office then re-checks."""
    lock_row(notice)
    if not can_answer_inspection_notice(by, notice):
        raise PermissionDenied
    if notice.status not in InspectionNotice.PENDING_STATUSES:
        raise TransitionError(_("只有待整改的整改通知书可以报告整改情况"))
    if not answer.strip():
        raise TransitionError(_("请填写整改情况"))
    answer = checked_text(answer, LONG_TEXT_MAX, _("整改情况"))
    for row in InspectionEvidence.build_all(files, notice=notice, uploaded_by=by):
        row.save()
    notice.answer = answer
    notice.status = NoticeStatus.ANSWERED
    notice.answered_by, notice.answered_at = by, timezone.now()
    notice.save(
        update_fields=["answer", "status", "answered_by", "answered_at", *stamp(notice, by)]
    )
    _event(notice, by, NoticeAction.ANSWER, answer[:500])
    notify(kind="inspection_notice_answered", subject=notice, by=by)
    return notice


@transaction.atomic
def inspection_notice_recheck(
    *,
    notice: InspectionNotice,
    by,
    passed: bool,
    remark: str = "",
    deadline: datetime.date | None = None,
) -> InspectionNotice:
    """复验: passed, or back to the branch with the reason (and, if given, a new deadline)."""
    lock_row(notice)
    if not can_recheck_inspection_notice(by, notice):
        raise PermissionDenied
    if notice.status != NoticeStatus.ANSWERED:
        raise TransitionError(_("支部报告整改情况后才能复验"))
    remark = checked_text(remark, REASON_MAX, _("复验意见"))
    fields = ["status", "recheck_remark", "rechecked_by", "rechecked_at"]
    if passed:
        notice.status = NoticeStatus.PASSED
    else:
        if not remark.strip():
            raise TransitionError(_("请写明复验未通过的原因"))
        if deadline is not None:
            if not is_sane(deadline) or deadline <= timezone.localdate():
                raise TransitionError(_("整改时限应晚于今天"))
            notice.deadline = deadline
            fields.append("deadline")
        notice.status = NoticeStatus.RETURNED
    notice.recheck_remark = remark
    notice.rechecked_by, notice.rechecked_at = by, timezone.now()
    notice.save(update_fields=[*fields, *stamp(notice, by)])
    _event(notice, by, NoticeAction.PASS if passed else NoticeAction.RETURN, remark)
    notify(kind="inspection_notice_rechecked", subject=notice, by=by)
    return notice
