"""Changes to rectification items (整改): done, reply, confirm (销号), reopen.

Each function is keyword-only, atomic, checks the permission and the state, locks the row it
changes, writes, and records who did it. Views, demo data and tests all go through these."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionError
from core.locks import lock_row
from pledges.models import Organization

from ..models import (
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
    Subject,
    SubjectKind,
)
from ..rules.rectification import can_confirm_item, can_raise_item, can_work_on_item

ItemStatus = RectificationItem.Status
ItemAction = RectificationEvent.Action


def _item_event(item: RectificationItem, by, action: str, remark: str = "") -> None:
    RectificationEvent.objects.create(item=item, actor=by, action=action, remark=remark)


def _locked_item(item: RectificationItem) -> RectificationItem:
    lock_row(item)
    if not item.is_issued:
        raise TransitionError(_("点评尚未签认，整改事项尚未下达"))
    return item


@transaction.atomic
def item_raise(
    *,
    by,
    organization: Organization,
    problem: str,
    measures: str,
    responsible: str,
    deadline: datetime.date,
    remark: str = "",
) -> RectificationItem:
    """A rectification item of an organization without a leader review behind it: a problem
    the people raised (群众提出的问题纳入整改). `remark` says where it came from."""
    if not can_raise_item(by, organization):
        raise PermissionDenied
    if not (problem.strip() and measures.strip() and responsible.strip()):
        raise TransitionError(_("整改事项须写明问题、措施、责任人和时限（四定）"))
    if deadline < timezone.localdate():
        raise TransitionError(_("整改时限不能早于今天"))
    if len(responsible.strip()) > 100:
        raise TransitionError(_("责任人不能超过 100 个字"))
    item = RectificationItem.objects.create(
        **Subject(SubjectKind.ORGANIZATION, organization).fields(),
        review=None,
        raised_by=by,
        problem=problem.strip(),
        measures=measures.strip(),
        responsible=responsible.strip(),
        deadline=deadline,
    )
    _item_event(item, by, ItemAction.CREATE, remark.strip()[:500])
    return item


@transaction.atomic
def item_done(
    *,
    item: RectificationItem,
    by,
    measures_taken: str,
    reply: str = "",
    files: Sequence[UploadedFile] = (),
) -> RectificationItem:
    """The subject records what was done (with evidence) and reports the item finished."""
    if not can_work_on_item(by, item):
        raise PermissionDenied
    item = _locked_item(item)
    if item.status not in RectificationItem.PENDING_STATUSES:
        raise TransitionError(_("只有整改中或重新整改的事项可以报整改完成"))
    if not measures_taken.strip():
        raise TransitionError(_("请填写整改落实情况"))
    for row in RectificationEvidence.build_all(files, item=item, uploaded_by=by):
        row.save()
    item.status = ItemStatus.DONE
    item.measures_taken = measures_taken.strip()
    if reply.strip():
        item.reply = reply.strip()
    item.done_by, item.done_at = by, timezone.now()
    item.save()
    _item_event(item, by, ItemAction.DONE, item.measures_taken[:500])
    if reply.strip():
        _item_event(item, by, ItemAction.REPLY, item.reply[:500])
    return item


@transaction.atomic
def item_reply(*, item: RectificationItem, by, text: str) -> RectificationItem:
    """重点问题整改落实情况及时回复点评人: the subject's reply, at any stage before 销号."""
    if not can_work_on_item(by, item):
        raise PermissionDenied
    item = _locked_item(item)
    if item.status == ItemStatus.CONFIRMED:
        raise TransitionError(_("已销号的事项不能再回复"))
    if not text.strip():
        raise TransitionError(_("请填写回复内容"))
    item.reply = text.strip()
    item.save(update_fields=["reply"])
    _item_event(item, by, ItemAction.REPLY, item.reply[:500])
    return item


@transaction.atomic
def item_confirm(*, item: RectificationItem, by, remark: str = "") -> RectificationItem:
    """整改销号 by the reviewer."""
    if not can_confirm_item(by, item):
        raise PermissionDenied
    item = _locked_item(item)
    if item.status != ItemStatus.DONE:
        raise TransitionError(_("只有已报整改完成的事项可以确认销号"))
    item.status = ItemStatus.CONFIRMED
    item.confirmed_by, item.confirmed_at = by, timezone.now()
    item.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    _item_event(item, by, ItemAction.CONFIRM, remark.strip())
    return item


@transaction.atomic
def item_reopen(*, item: RectificationItem, by, reason: str) -> RectificationItem:
    if not can_confirm_item(by, item):
        raise PermissionDenied
    item = _locked_item(item)
    if item.status != ItemStatus.DONE:
        raise TransitionError(_("只有已报整改完成的事项可以要求重新整改"))
    if not reason.strip():
        raise TransitionError(_("请写明重新整改的原因"))
    item.status = ItemStatus.REOPENED
    item.reopen_reason = reason.strip()
    item.save(update_fields=["status", "reopen_reason"])
    _item_event(item, by, ItemAction.REOPEN, item.reopen_reason)
    return item
