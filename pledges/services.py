"""Every change to a pledge and its records goes through one function here.

Each function is keyword-only, atomic, checks the permission and the state, writes, and
records who did it in the pledge's history. Views, imports, tasks and tests all call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionError

from . import permissions
from .models import Evidence, Member, Organization, Pledge, PledgeEvent, ProgressRecord

Status = Pledge.Status
Action = PledgeEvent.Action


@dataclass(frozen=True)
class PledgeContent:
    kind: str
    title: str
    measures: str
    deadline: datetime.date
    expected_result: str


def _lock(pledge: Pledge) -> None:
    """Lock the pledge's row and reload the caller's instance with the committed state, so a
    double-posted move or a second tab meets the first one's result instead of repeating it."""
    list(Pledge.objects.select_for_update().filter(pk=pledge.pk).values_list("pk"))
    pledge.refresh_from_db()


def _record(pledge: Pledge, by, action: str, remark: str = "", changes: dict | None = None) -> None:
    PledgeEvent.objects.create(
        pledge=pledge, actor=by, action=action, remark=remark, changes=changes or {}
    )


def _save(pledge: Pledge, fields: Iterable[str]) -> None:
    pledge.version += 1
    pledge.save(update_fields=[*fields, "version"])


def _refuse_approval(pledge: Pledge, by) -> None:
    """Say why this person may not approve, where the reason is one they can act on."""
    if permissions.is_owner(by, pledge):
        raise TransitionError(_("不能审核自己的承诺"))
    if pledge.owner_member_id is None and permissions.can_manage_organization(by, pledge.owner_org):
        raise TransitionError(_("党组织自身的承诺由上级党委（办公室）或联系领导审核"))
    raise PermissionDenied


def _check_version(pledge: Pledge, version: int | None) -> None:
    if version is not None and version != pledge.version:
        raise TransitionError(_("该承诺已被他人修改，请刷新页面后重试"))


def _content_diff(pledge: Pledge, content: PledgeContent) -> dict[str, list[str]]:
    diff = {}
    for name in Pledge.CONTENT_FIELDS:
        old, new = getattr(pledge, name), getattr(content, name)
        if old != new:
            diff[name] = [str(old), str(new)]
    return diff


def _check_content(content: PledgeContent, year: int, half: int) -> None:
    if not content.title.strip():
        raise TransitionError(_("请填写承诺事项"))
    if content.kind not in Pledge.Kind.values:
        raise TransitionError(_("承诺类别无效"))
    period_start = datetime.date(year, 7 if half == Pledge.Half.SECOND else 1, 1)
    if content.deadline < period_start:
        raise TransitionError(
            _("“%(title)s”的完成时限 %(deadline)s 早于承诺期间的开始日期 %(start)s")
            % {"title": content.title, "deadline": content.deadline, "start": period_start}
        )


@transaction.atomic
def pledge_create(
    *,
    by,
    owner_org: Organization,
    owner_member: Member | None = None,
    content: PledgeContent,
    year: int,
    half: int = Pledge.Half.WHOLE_YEAR,
    carried_from: Pledge | None = None,
) -> Pledge:
    if owner_member is not None and owner_member.organization_id != owner_org.pk:
        raise TransitionError(_("党员不属于该党组织"))
    probe = Pledge(owner_org=owner_org, owner_member=owner_member)
    if not permissions.can_edit_pledge(by, probe):
        raise PermissionDenied
    _check_content(content, year, half)
    pledge = Pledge.objects.create(
        owner_org=owner_org,
        owner_member=owner_member,
        year=year,
        half=half,
        carried_from=carried_from,
        created_by=by,
        **content.__dict__,
    )
    _record(pledge, by, Action.CREATE)
    return pledge


@transaction.atomic
def pledge_update(
    *, pledge: Pledge, by, content: PledgeContent, version: int | None = None
) -> Pledge:
    _lock(pledge)
    if not permissions.can_edit_pledge(by, pledge):
        raise PermissionDenied
    if not pledge.is_editable:
        raise TransitionError(_("已提交或已审核的承诺不能直接修改；已亮诺的承诺请办理变更"))
    _check_version(pledge, version)
    _check_content(content, pledge.year, pledge.half)
    diff = _content_diff(pledge, content)
    if not diff:
        return pledge
    for name in diff:
        setattr(pledge, name, getattr(content, name))
    _save(pledge, diff.keys())
    _record(pledge, by, Action.EDIT, changes=diff)
    return pledge


@transaction.atomic
def pledge_delete_draft(*, pledge: Pledge, by) -> None:
    _lock(pledge)
    if not permissions.can_edit_pledge(by, pledge):
        raise PermissionDenied
    if pledge.status != Status.DRAFT or pledge.events.exclude(action=Action.CREATE).exists():
        raise TransitionError(_("只有从未提交过的草稿可以删除"))
    pledge.delete()


@transaction.atomic
def pledge_submit(*, pledge: Pledge, by) -> Pledge:
    _lock(pledge)
    if not permissions.can_edit_pledge(by, pledge):
        raise PermissionDenied
    if pledge.status not in Pledge.EDITABLE_STATUSES:
        raise TransitionError(_("只有草稿或被退回的承诺可以提交"))
    pledge.status = Status.SUBMITTED
    pledge.submitted_by, pledge.submitted_at = by, timezone.now()
    _save(pledge, ["status", "submitted_by", "submitted_at"])
    _record(pledge, by, Action.SUBMIT)
    return pledge


@transaction.atomic
def pledge_approve(*, pledge: Pledge, by, remark: str = "") -> Pledge:
    """审诺 passed: the pledge is filed with the higher organization's office."""
    _lock(pledge)
    if not permissions.can_approve_pledge(by, pledge):
        _refuse_approval(pledge, by)
    if pledge.status != Status.SUBMITTED:
        raise TransitionError(_("只有已提交的承诺可以审核通过"))
    pledge.status = Status.APPROVED
    pledge.approved_by, pledge.approved_at = by, timezone.now()
    pledge.return_reason = ""
    _save(pledge, ["status", "approved_by", "approved_at", "return_reason"])
    _record(pledge, by, Action.APPROVE, remark)
    return pledge


@transaction.atomic
def pledge_return(*, pledge: Pledge, by, reason: str) -> Pledge:
    _lock(pledge)
    if not permissions.can_approve_pledge(by, pledge):
        _refuse_approval(pledge, by)
    if pledge.status != Status.SUBMITTED:
        raise TransitionError(_("只有已提交的承诺可以退回"))
    if not reason.strip():
        raise TransitionError(_("退回时请写明原因"))
    pledge.status = Status.RETURNED
    pledge.return_reason = reason.strip()
    _save(pledge, ["status", "return_reason"])
    _record(pledge, by, Action.RETURN, pledge.return_reason)
    return pledge


@transaction.atomic
def pledge_publish(*, pledge: Pledge, by) -> Pledge:
    """亮诺: the approved pledge is made public."""
    _lock(pledge)
    if not permissions.can_run_pledge(by, pledge):
        raise PermissionDenied
    if pledge.status != Status.APPROVED:
        raise TransitionError(_("只有审核通过的承诺可以亮诺"))
    pledge.status = Status.PUBLISHED
    pledge.published_at = timezone.now()
    _save(pledge, ["status", "published_at"])
    _record(pledge, by, Action.PUBLISH)
    return pledge


@dataclass
class BulkResult:
    done: list[Pledge]
    refused: list[tuple[Pledge, str]]


def pledges_bulk(*, pledges: Sequence[Pledge], by, action: str, reason: str = "") -> BulkResult:
    """Apply one move to many pledges; each succeeds or is refused on its own, with a reason."""
    moves = {
        "submit": lambda p: pledge_submit(pledge=p, by=by),
        "approve": lambda p: pledge_approve(pledge=p, by=by),
        "return": lambda p: pledge_return(pledge=p, by=by, reason=reason),
        "publish": lambda p: pledge_publish(pledge=p, by=by),
    }
    if action not in moves:
        raise TransitionError(_("不支持的批量操作"))
    if action == "return" and not reason.strip():
        raise TransitionError(_("退回时请写明原因"))
    result = BulkResult(done=[], refused=[])
    for pledge in pledges:
        try:
            result.done.append(moves[action](pledge))
        except TransitionError as e:
            result.refused.append((pledge, str(e)))
        except PermissionDenied:
            result.refused.append((pledge, _("无权操作")))
    return result


@transaction.atomic
def progress_add(
    *,
    pledge: Pledge,
    by,
    date: datetime.date,
    text: str,
    files: Sequence[UploadedFile] = (),
) -> ProgressRecord:
    """践诺记实. The first record of a published pledge moves it into progress."""
    _lock(pledge)
    if not permissions.can_record_progress(by, pledge):
        raise PermissionDenied
    if pledge.status not in (Status.APPROVED, Status.PUBLISHED, Status.IN_PROGRESS):
        raise TransitionError(_("只有已审核、已亮诺或践诺中的承诺可以记实"))
    if not text.strip():
        raise TransitionError(_("请填写践诺情况"))
    if date > timezone.localdate():
        raise TransitionError(_("记实日期不能晚于今天"))
    evidence = Evidence.build_all(files)
    record = ProgressRecord.objects.create(pledge=pledge, date=date, text=text.strip(), author=by)
    for row in evidence:
        row.record = record
        row.save()
    if pledge.status != Status.IN_PROGRESS:
        pledge.status = Status.IN_PROGRESS
        if pledge.published_at is None:
            pledge.published_at = timezone.now()
        _save(pledge, ["status", "published_at"])
    else:
        Pledge.objects.filter(pk=pledge.pk).update(version=F("version") + 1)
    _record(
        pledge,
        by,
        Action.PROGRESS,
        text.strip()[:200],
        {"record": record.pk, "files": [row.original_name for row in evidence]},
    )
    return record


@transaction.atomic
def progress_delete(*, record: ProgressRecord, by) -> None:
    pledge = record.pledge
    if not permissions.can_record_progress(by, pledge):
        raise PermissionDenied
    if pledge.status in Pledge.ENDED_STATUSES:
        raise TransitionError(_("已销号或已认定未兑现的承诺，记实不能删除"))
    _record(pledge, by, Action.DELETE_RECORD, record.text[:200], {"date": str(record.date)})
    for evidence in record.evidence.all():
        evidence.file.delete(save=False)
    record.delete()


@transaction.atomic
def pledge_close(
    *, pledge: Pledge, by, result: str, closed_on: datetime.date | None = None
) -> Pledge:
    """销号: fulfilled to the people's satisfaction."""
    _lock(pledge)
    if not permissions.can_run_pledge(by, pledge):
        raise PermissionDenied
    if pledge.status not in (Status.PUBLISHED, Status.IN_PROGRESS):
        raise TransitionError(_("只有已亮诺或践诺中的承诺可以销号"))
    if not result.strip():
        raise TransitionError(_("销号时请填写兑现情况"))
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise TransitionError(_("销号日期不能晚于今天"))
    pledge.status = Status.CLOSED
    pledge.close_result, pledge.closed_on, pledge.closed_by = result.strip(), closed_on, by
    _save(pledge, ["status", "close_result", "closed_on", "closed_by"])
    _record(pledge, by, Action.CLOSE, pledge.close_result)
    return pledge


@transaction.atomic
def pledge_mark_unfulfilled(*, pledge: Pledge, by, reason: str) -> Pledge:
    _lock(pledge)
    if not permissions.can_run_pledge(by, pledge):
        raise PermissionDenied
    if pledge.status not in (Status.PUBLISHED, Status.IN_PROGRESS):
        raise TransitionError(_("只有已亮诺或践诺中的承诺可以认定为未兑现"))
    if not reason.strip():
        raise TransitionError(_("请写明未兑现的原因"))
    pledge.status = Status.UNFULFILLED
    pledge.close_result, pledge.closed_by = reason.strip(), by
    _save(pledge, ["status", "close_result", "closed_by"])
    _record(pledge, by, Action.UNFULFILLED, pledge.close_result)
    return pledge


@transaction.atomic
def pledge_carry_over(
    *, pledge: Pledge, by, deadline: datetime.date | None = None, year: int | None = None
) -> Pledge:
    """再承诺: a new draft that carries on from a closed or unfulfilled pledge."""
    _lock(pledge)
    if not permissions.can_edit_pledge(by, pledge):
        raise PermissionDenied
    if pledge.status not in Pledge.ENDED_STATUSES:
        raise TransitionError(_("只有已销号或未兑现的承诺可以再承诺"))
    if pledge.carried_into.exists():
        raise TransitionError(_("该承诺已有再承诺"))
    year = year or max(pledge.year, timezone.localdate().year)
    content = PledgeContent(
        kind=pledge.kind,
        title=pledge.title,
        measures=pledge.measures,
        deadline=deadline or max(pledge.deadline, timezone.localdate()),
        expected_result=pledge.expected_result,
    )
    new = pledge_create(
        by=by,
        owner_org=pledge.owner_org,
        owner_member=pledge.owner_member,
        content=content,
        year=year,
        half=pledge.half,
        carried_from=pledge,
    )
    _record(pledge, by, Action.CARRY_OVER, changes={"new_pledge": new.pk})
    return new


@transaction.atomic
def pledge_amend(
    *, pledge: Pledge, by, content: PledgeContent, reason: str, version: int | None = None
) -> Pledge:
    """Published content changes only through a recorded amendment with a reason."""
    _lock(pledge)
    if not permissions.can_run_pledge(by, pledge):
        raise PermissionDenied
    if pledge.status not in Pledge.RUNNING_STATUSES:
        raise TransitionError(_("只有已审核、已亮诺或践诺中的承诺可以办理变更"))
    if not reason.strip():
        raise TransitionError(_("变更时请写明原因"))
    _check_version(pledge, version)
    _check_content(content, pledge.year, pledge.half)
    diff = _content_diff(pledge, content)
    if not diff:
        raise TransitionError(_("内容没有变化"))
    for name in diff:
        setattr(pledge, name, getattr(content, name))
    _save(pledge, diff.keys())
    _record(pledge, by, Action.AMEND, reason.strip(), diff)
    return pledge


def guidance_for_member(member: Member, pledges: Iterable[Pledge]) -> list[str]:
    """Gentle warnings from the sources: 2–3 实事好事 and 1–2 faults to correct per member."""
    live = [p for p in pledges if p.status != Status.UNFULFILLED]
    good = sum(1 for p in live if p.kind != Pledge.Kind.FAULT)
    faults = sum(1 for p in live if p.kind == Pledge.Kind.FAULT)
    warnings = []
    if good < 2:
        warnings.append(_("建议承诺 2–3 件实事好事，目前只有 %(n)d 件") % {"n": good})
    if faults < 1:
        warnings.append(_("建议至少承诺改正 1 项缺点"))
    return warnings


def guidance_for_organization(pledges: Iterable[Pledge]) -> list[str]:
    """A branch should pledge 3–5 items."""
    count = sum(1 for p in pledges if p.status != Status.UNFULFILLED)
    if count < 3:
        return [_("建议党组织承诺 3–5 项，目前只有 %(n)d 项") % {"n": count}]
    return []
