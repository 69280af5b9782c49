"""Changes to rectification items (整改): done, reply, confirm (销号), reopen.

Each function is keyword-only, atomic, checks the permission and the state, locks the row it
changes, writes, and records who did it. Views, demo data and tests all go through these."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import is_sane
from core.errors import TransitionError
from core.locks import lock_row
from core.notifications.events import notify
from core.text import LONG_TEXT_MAX, REASON_MAX, checked_text
from core.versions import check_edit, stamp
from pledges.models import Member, Organization

from ..models import (
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
    Subject,
    SubjectKind,
)
from ..rules.rectification import (
    can_confirm_rectification_item,
    can_raise_rectification_item,
    can_work_on_rectification_item,
)

ItemStatus = RectificationItem.Status
ItemAction = RectificationEvent.Action


RESPONSIBLE_MAX = RectificationItem._meta.get_field("responsible").max_length


def responsible_members(
    organization: Organization, ids: Sequence[int | None], names: Sequence[str] = ()
) -> dict[int | str, Member]:
    """The members of `organization` among `ids` (by id) and `names` (by name): those a
    责任人 may be picked from. One query; none when nothing was picked or typed."""
    wanted = {i for i in ids if i is not None}
    typed = {n.strip() for n in names if n and n.strip()}
    if not (wanted or typed):
        return {}
    rows = Member.objects.filter(organization=organization).filter(
        Q(pk__in=wanted) | Q(name__in=typed)
    )
    found: dict[int | str, Member] = {}
    for m in rows:
        if m.pk in wanted:
            found[m.pk] = m
        if m.name in typed:
            found[m.name] = m
    return found


def resolve_responsible(
    members: dict[int | str, Member], member_id: int | None, name: str
) -> tuple[str, int | None]:
    """定责任人: a member of the subject's organization (his name is taken from the roll, so a
    typed name cannot disagree with the pick), or someone from outside by name. A typed name
    that is on the roll is that member: he is linked as if picked."""
    if member_id is not None:
        member = members.get(member_id)
        if member is None:
            raise TransitionError(_("责任人须是点评对象所在党组织的党员，组织外人员请填写姓名"))
        return member.name, member.pk
    name = checked_text(name, RESPONSIBLE_MAX, _("责任人"))
    if not name:
        raise TransitionError(_("整改事项须写明问题、目标、措施、责任人和时限（四定）"))
    member = members.get(name)
    return name, member.pk if member is not None else None


def _item_event(item: RectificationItem, by, action: str, remark: str = "") -> None:
    RectificationEvent.objects.create(item=item, actor=by, action=action, remark=remark)


def _check_issued(item: RectificationItem) -> None:
    if not item.is_issued:
        raise TransitionError(_("点评尚未签认，整改事项尚未下达"))


@transaction.atomic
def rectification_item_raise(
    *,
    by,
    organization: Organization,
    problem: str,
    measures: str,
    responsible: str,
    deadline: datetime.date,
    target: str = "",
    responsible_member_id: int | None = None,
    remark: str = "",
) -> RectificationItem:
    """A rectification item of an organization without a leader review behind it: a problem
    the people raised (群众提出的问题纳入整改). `remark` says where it came from."""
    if not can_raise_rectification_item(by, organization):
        raise PermissionDenied
    if not (problem.strip() and measures.strip() and target.strip()):
        raise TransitionError(_("整改事项须写明问题、目标、措施、责任人和时限（四定）"))
    members = responsible_members(organization, [responsible_member_id], [responsible])
    responsible, responsible_member_id = resolve_responsible(
        members, responsible_member_id, responsible
    )
    if deadline < timezone.localdate():
        raise TransitionError(_("整改时限不能早于今天"))
    if not is_sane(deadline):
        raise TransitionError(_("整改时限应在 2000 年至 2100 年之间"))
    item = RectificationItem.objects.create(
        **Subject(SubjectKind.ORGANIZATION, organization).fields(),
        review=None,
        raised_by=by,
        problem=checked_text(problem, LONG_TEXT_MAX, _("问题")),
        target=checked_text(target, LONG_TEXT_MAX, _("整改目标")),
        measures=checked_text(measures, LONG_TEXT_MAX, _("整改措施")),
        responsible=responsible,
        responsible_member_id=responsible_member_id,
        deadline=deadline,
    )
    _item_event(item, by, ItemAction.CREATE, checked_text(remark, REASON_MAX, _("来源说明")))
    notify(kind="rectification_assigned", subject=item, by=by)
    return item


@transaction.atomic
def rectification_item_done(
    *,
    item: RectificationItem,
    by,
    measures_taken: str,
    reply: str = "",
    files: Sequence[UploadedFile] = (),
) -> RectificationItem:
    """The subject records what was done (with evidence) and reports the item finished."""
    lock_row(item)
    if not can_work_on_rectification_item(by, item):
        raise PermissionDenied
    _check_issued(item)
    if item.status not in RectificationItem.PENDING_STATUSES:
        raise TransitionError(_("只有整改中或重新整改的事项可以报整改完成"))
    if not measures_taken.strip():
        raise TransitionError(_("请填写整改落实情况"))
    measures_taken = checked_text(measures_taken, LONG_TEXT_MAX, _("整改落实情况"))
    reply = checked_text(reply, LONG_TEXT_MAX, _("回复点评人"))
    for row in RectificationEvidence.build_all(files, item=item, uploaded_by=by):
        row.save()
    item.status = ItemStatus.DONE
    item.measures_taken = measures_taken
    if reply:
        item.reply = reply
    item.done_by, item.done_at = by, timezone.now()
    stamp(item, by)
    item.save()
    _item_event(item, by, ItemAction.DONE, item.measures_taken[:500])
    if reply:
        _item_event(item, by, ItemAction.REPLY, item.reply[:500])
    notify(kind="rectification_answered", subject=item, by=by)
    return item


@transaction.atomic
def rectification_item_reply(
    *, item: RectificationItem, by, text: str, version: int | None
) -> RectificationItem:
    """重点问题整改落实情况及时回复点评人: the subject's reply, at any stage before 销号.
    A reply replaces the last one, so a reply written on an older page is refused."""
    lock_row(item)
    if not can_work_on_rectification_item(by, item):
        raise PermissionDenied
    _check_issued(item)
    if item.status == ItemStatus.CONFIRMED:
        raise TransitionError(_("已销号的事项不能再回复"))
    if not text.strip():
        raise TransitionError(_("请填写回复内容"))
    text = checked_text(text, LONG_TEXT_MAX, _("回复内容"))
    check_edit(item, version, label=_("整改事项"), values={"reply": text})
    item.reply = text
    item.save(update_fields=["reply", *stamp(item, by)])
    _item_event(item, by, ItemAction.REPLY, item.reply[:500])
    notify(kind="rectification_answered", subject=item, by=by)
    return item


@transaction.atomic
def rectification_item_confirm(
    *, item: RectificationItem, by, remark: str = ""
) -> RectificationItem:
    """整改销号 by the reviewer."""
    lock_row(item)
    if not can_confirm_rectification_item(by, item):
        raise PermissionDenied
    _check_issued(item)
    if item.status != ItemStatus.DONE:
        raise TransitionError(_("只有已报整改完成的事项可以确认销号"))
    item.status = ItemStatus.CONFIRMED
    item.confirmed_by, item.confirmed_at = by, timezone.now()
    remark = checked_text(remark, REASON_MAX, _("说明"))
    item.save(update_fields=["status", "confirmed_by", "confirmed_at", *stamp(item, by)])
    _item_event(item, by, ItemAction.CONFIRM, remark)
    return item


@transaction.atomic
def rectification_item_reopen(*, item: RectificationItem, by, reason: str) -> RectificationItem:
    lock_row(item)
    if not can_confirm_rectification_item(by, item):
        raise PermissionDenied
    _check_issued(item)
    if item.status != ItemStatus.DONE:
        raise TransitionError(_("只有已报整改完成的事项可以要求重新整改"))
    if not reason.strip():
        raise TransitionError(_("请写明重新整改的原因"))
    item.status = ItemStatus.REOPENED
    item.reopen_reason = checked_text(reason, REASON_MAX, _("重新整改原因"))
    item.save(update_fields=["status", "reopen_reason", *stamp(item, by)])
    _item_event(item, by, ItemAction.REOPEN, item.reopen_reason)
    notify(kind="rectification_reopened", subject=item, by=by)
    return item
