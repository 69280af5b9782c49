"""Every change to a pledge and its records goes through one function here.

Each function is keyword-only, atomic, checks the permission and the state, writes, and
records who did it in the pledge's history. Views, imports, tasks and tests all call these.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import is_sane
from core.errors import TransitionError
from core.locks import lock_row
from core.notifications.events import notify
from core.text import LONG_TEXT_MAX, REASON_MAX, checked_text
from core.versions import check_version, stamp

from ..models import Member, Organization, Pledge, PledgeEvent
from ..rules import lifecycle
from ..rules import pledge as pledge_rules
from ..rules.pledge_content import PledgeContent, content_problems

Status = Pledge.Status
Action = PledgeEvent.Action
Move = lifecycle.Move


def record_event(
    pledge: Pledge, by, action: str, remark: str = "", changes: dict | None = None
) -> None:
    PledgeEvent.objects.create(
        pledge=pledge, actor=by, action=action, remark=remark, changes=changes or {}
    )


def _refuse_approval(pledge: Pledge, by) -> None:
    """Say why this person may not approve, where the reason is one they can act on."""
    if pledge_rules.is_owner(by, pledge):
        raise TransitionError(_("不能审核自己的承诺"))
    if pledge.owner_member_id is None and pledge_rules.can_manage_organization(
        by, pledge.owner_org
    ):
        raise TransitionError(_("党组织自身的承诺由上级党委（办公室）或联系领导审核"))
    raise PermissionDenied


def _check_version(pledge: Pledge, version: int | None, content: PledgeContent) -> None:
    """A missing version is refused too: a post that does not say which state it was made
    on would silently overwrite whatever was saved in between."""
    who, when = pledge.edited_by, pledge.edited_at
    if when is None:  # last saved before edits were stamped: the history says who
        last = pledge.events.select_related("actor").order_by("-at", "-id").first()
        who, when = (last.actor, last.at) if last else (None, None)
    check_version(
        current=pledge.edit_version,
        sent=version,
        label=_("承诺"),
        differing=[
            str(Pledge._meta.get_field(name).verbose_name)
            for name in _content_diff(pledge, content)
        ],
        who=who,
        when=when,
    )


def _content_diff(pledge: Pledge, content: PledgeContent) -> dict[str, list[str]]:
    diff = {}
    for name in Pledge.CONTENT_FIELDS:
        old, new = getattr(pledge, name), getattr(content, name)
        if old != new:
            diff[name] = [str(old), str(new)]
    return diff


def _check_content(content: PledgeContent, year: int, half: int) -> None:
    problems = content_problems(content, year, half)
    if problems:
        raise TransitionError(problems[0][1])


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
    if not pledge_rules.can_edit_pledge(by, probe):
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
    record_event(pledge, by, Action.CREATE)
    return pledge


@transaction.atomic
def pledge_update(
    *,
    pledge: Pledge,
    by,
    content: PledgeContent,
    version: int | None,
    year: int | None = None,
    half: int | None = None,
) -> Pledge:
    """Change a draft's content and, when given, the period it is for: the entry page's
    年度 and 期间 apply to every row on it, the drafts already saved as well as new ones."""
    lock_row(pledge)
    lifecycle.check(by, pledge, Move.EDIT)
    _check_version(pledge, version, content)
    period = {
        "year": pledge.year if year is None else year,
        "half": pledge.half if half is None else half,
    }
    _check_content(content, period["year"], period["half"])
    diff = _content_diff(pledge, content)
    new = {name: getattr(content, name) for name in diff}
    for name, value in period.items():
        if getattr(pledge, name) != value:
            diff[name] = [str(getattr(pledge, name)), str(value)]
            new[name] = value
    if not diff:
        return pledge
    for name, value in new.items():
        setattr(pledge, name, value)
    pledge.save(update_fields=[*diff.keys(), *stamp(pledge, by)])
    record_event(pledge, by, Action.EDIT, changes=diff)
    return pledge


@transaction.atomic
def pledge_delete_draft(*, pledge: Pledge, by) -> None:
    lock_row(pledge)
    if not pledge_rules.can_edit_pledge(by, pledge):
        raise PermissionDenied
    if pledge.status != Status.DRAFT or pledge.events.exclude(action=Action.CREATE).exists():
        raise TransitionError(_("只有从未提交过的草稿可以删除"))
    pledge.delete()


@transaction.atomic
def pledge_submit(*, pledge: Pledge, by) -> Pledge:
    lock_row(pledge)
    pledge.status = lifecycle.check(by, pledge, Move.SUBMIT)
    pledge.submitted_by, pledge.submitted_at = by, timezone.now()
    pledge.save(update_fields=["status", "submitted_by", "submitted_at", *stamp(pledge, by)])
    record_event(pledge, by, Action.SUBMIT)
    return pledge


@transaction.atomic
def pledge_approve(*, pledge: Pledge, by, remark: str = "") -> Pledge:
    """审诺 passed: the pledge is filed with the higher organization's office."""
    lock_row(pledge)
    if not lifecycle.may(by, pledge, Move.APPROVE):
        _refuse_approval(pledge, by)
    to = lifecycle.target(pledge, Move.APPROVE)
    remark = checked_text(remark, REASON_MAX, _("审核意见"))
    pledge.status = to
    pledge.approved_by, pledge.approved_at = by, timezone.now()
    pledge.return_reason = ""
    pledge.save(
        update_fields=["status", "approved_by", "approved_at", "return_reason", *stamp(pledge, by)]
    )
    record_event(pledge, by, Action.APPROVE, remark)
    notify(kind="pledge_approved", subject=pledge, by=by)
    return pledge


@transaction.atomic
def pledge_return(*, pledge: Pledge, by, reason: str) -> Pledge:
    lock_row(pledge)
    if not lifecycle.may(by, pledge, Move.RETURN):
        _refuse_approval(pledge, by)
    to = lifecycle.target(pledge, Move.RETURN)
    if not reason.strip():
        raise TransitionError(_("退回时请写明原因"))
    pledge.status = to
    pledge.return_reason = checked_text(reason, REASON_MAX, _("退回原因"))
    pledge.save(update_fields=["status", "return_reason", *stamp(pledge, by)])
    record_event(pledge, by, Action.RETURN, pledge.return_reason)
    notify(kind="pledge_returned", subject=pledge, by=by)
    return pledge


@transaction.atomic
def pledge_publish(*, pledge: Pledge, by) -> Pledge:
    """亮诺: the approved pledge is made public."""
    lock_row(pledge)
    pledge.status = lifecycle.check(by, pledge, Move.PUBLISH)
    pledge.published_at = timezone.now()
    pledge.save(update_fields=["status", "published_at", *stamp(pledge, by)])
    record_event(pledge, by, Action.PUBLISH)
    notify(kind="pledge_published", subject=pledge, by=by)
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
    checked_text(reason, REASON_MAX, _("退回原因"))
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
def pledge_close(
    *, pledge: Pledge, by, result: str, closed_on: datetime.date | None = None
) -> Pledge:
    """销号: fulfilled to the people's satisfaction."""
    lock_row(pledge)
    to = lifecycle.check(by, pledge, Move.CLOSE)
    if not result.strip():
        raise TransitionError(_("销号时请填写兑现情况"))
    result = checked_text(result, LONG_TEXT_MAX, _("兑现情况"))
    closed_on = closed_on or timezone.localdate()
    if closed_on > timezone.localdate():
        raise TransitionError(_("销号日期不能晚于今天"))
    if not is_sane(closed_on):
        raise TransitionError(_("销号日期应在 2000 年至 2100 年之间"))
    pledge.status = to
    pledge.close_result, pledge.closed_on, pledge.closed_by = result, closed_on, by
    pledge.save(
        update_fields=["status", "close_result", "closed_on", "closed_by", *stamp(pledge, by)]
    )
    record_event(pledge, by, Action.CLOSE, pledge.close_result)
    return pledge


@transaction.atomic
def pledge_mark_unfulfilled(*, pledge: Pledge, by, reason: str) -> Pledge:
    lock_row(pledge)
    to = lifecycle.check(by, pledge, Move.UNFULFILLED)
    if not reason.strip():
        raise TransitionError(_("请写明未兑现的原因"))
    pledge.status = to
    pledge.close_result = checked_text(reason, REASON_MAX, _("未兑现原因"))
    pledge.closed_by = by
    pledge.save(update_fields=["status", "close_result", "closed_by", *stamp(pledge, by)])
    record_event(pledge, by, Action.UNFULFILLED, pledge.close_result)
    return pledge


@transaction.atomic
def pledge_carry_over(
    *, pledge: Pledge, by, deadline: datetime.date | None = None, year: int | None = None
) -> Pledge:
    """再承诺: a new draft that carries on from a closed or unfulfilled pledge."""
    lock_row(pledge)
    lifecycle.check(by, pledge, Move.CARRY_OVER)
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
    record_event(pledge, by, Action.CARRY_OVER, changes={"new_pledge": new.pk})
    return new


@transaction.atomic
def pledge_amend(
    *, pledge: Pledge, by, content: PledgeContent, reason: str, version: int | None
) -> Pledge:
    """Published content changes only through a recorded amendment with a reason."""
    lock_row(pledge)
    lifecycle.check(by, pledge, Move.AMEND)
    if not reason.strip():
        raise TransitionError(_("变更时请写明原因"))
    reason = checked_text(reason, REASON_MAX, _("变更原因"))
    _check_version(pledge, version, content)
    _check_content(content, pledge.year, pledge.half)
    diff = _content_diff(pledge, content)
    if not diff:
        raise TransitionError(_("内容没有变化"))
    for name in diff:
        setattr(pledge, name, getattr(content, name))
    pledge.save(update_fields=[*diff.keys(), *stamp(pledge, by)])
    record_event(pledge, by, Action.AMEND, reason.strip(), diff)
    return pledge
