"""Every change to notices goes through one function here.

Each is keyword-only, atomic, checks the permission and the state, locks the row it changes,
records who did it, and refreshes the cached public pages of the organization concerned.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionError
from core.locks import lock_row
from core.notifications.events import notify
from core.security.models import SecurityEvent
from core.security.services import security_log
from core.text import REASON_MAX, TITLE_MAX, checked_text
from core.versions import check_edit, stamp
from pledges.models import Organization, Pledge
from reviews.services import assessment as assessment_services
from reviews.services import selection as selection_services

from ..cache import bump_organizations
from ..models import INTRO_MAX, MAX_WINDOW_DAYS, NOTE_MAX, Notice, NoticeItem
from ..rules import notice as rules
from ..selectors import notice as compose

Status = Notice.Status


def refresh_public(org_id: int) -> None:
    """Refresh the organization's cached public pages (the opinion services call it too)."""
    # Now, and again after the commit: a reader between the two may have cached the old page
    # under the first new version; the second bump makes that copy unreachable.
    bump_organizations([org_id])
    transaction.on_commit(lambda: bump_organizations([org_id]))


@dataclass(frozen=True)
class NoticeContent:
    title: str
    intro: str
    starts_on: datetime.date
    ends_on: datetime.date
    sources: Sequence[str]


def _check_window(starts_on: datetime.date, ends_on: datetime.date) -> None:
    if ends_on < starts_on:
        raise TransitionError(_("公示结束日期不能早于开始日期"))
    if (ends_on - starts_on).days + 1 > MAX_WINDOW_DAYS:
        raise TransitionError(_("公示期不能超过 %(n)d 天") % {"n": MAX_WINDOW_DAYS})
    if starts_on < timezone.localdate():
        raise TransitionError(_("公示开始日期不能早于今天"))


def _snapshots(notice: Notice, sources: Sequence[str]) -> list[compose.Snapshot]:
    """The chosen candidates, in the candidates' order; anything not publishable is refused."""
    available = {
        s.source: s
        for s in compose.candidates(notice.organization, notice.kind, notice.year, notice.month)
    }
    chosen = list(dict.fromkeys(sources))
    unknown = [s for s in chosen if s not in available]
    if unknown:
        raise TransitionError(
            _("所选内容中有不能公示的事项（未审核、已退回或不公开），请刷新后重选")
        )
    if not chosen:
        raise TransitionError(_("请至少勾选一项公示内容"))
    wanted = set(chosen)
    return [s for s in available.values() if s.source in wanted]


def _write_items(notice: Notice, snapshots: Sequence[compose.Snapshot]) -> None:
    notice.items.all().delete()
    NoticeItem.objects.bulk_create(
        NoticeItem(
            notice=notice,
            position=n,
            source=s.source,
            heading=s.heading[:300],
            status_label=s.status_label[:40],
            lines=s.lines,
            rows=s.rows,
        )
        for n, s in enumerate(snapshots)
    )


def _apply_content(notice: Notice, content: NoticeContent) -> list[compose.Snapshot]:
    notice.title = checked_text(content.title, TITLE_MAX, _("标题"), required=True)
    notice.intro = checked_text(content.intro, INTRO_MAX, _("公示说明"))
    _check_window(content.starts_on, content.ends_on)
    notice.starts_on, notice.ends_on = content.starts_on, content.ends_on
    return _snapshots(notice, content.sources)


def _check_period(kind: str, year: int, month: int | None) -> None:
    if kind not in Notice.Kind.values:
        raise TransitionError(_("公示类别无效"))
    if not 2000 <= year <= 2100:
        raise TransitionError(_("年度无效"))
    if kind == Notice.Kind.PROGRESS and not (month and 1 <= month <= 12):
        raise TransitionError(_("记实公开请选择月份"))


def _nomination_ids(notice: Notice) -> list[int]:
    return compose.nomination_ids(list(notice.items.values_list("source", flat=True)))


@transaction.atomic
def notice_create(
    *,
    by,
    organization: Organization,
    kind: str,
    year: int,
    month: int | None = None,
    content: NoticeContent,
) -> Notice:
    """A draft notice composed from what the system holds."""
    if not rules.can_compose(by, organization):
        raise PermissionDenied
    _check_period(kind, year, month)
    notice = Notice(
        organization=organization,
        kind=kind,
        year=year,
        month=month if kind == Notice.Kind.PROGRESS else None,
        created_by=by,
    )
    snapshots = _apply_content(notice, content)
    notice.save()
    _write_items(notice, snapshots)
    return notice


@transaction.atomic
def notice_update(*, notice: Notice, by, content: NoticeContent, version: int | None) -> Notice:
    lock_row(notice)
    if not rules.can_compose(by, notice.organization):
        raise PermissionDenied
    if not notice.is_editable:
        raise TransitionError(_("只有草稿或被退回的公示可以修改"))
    fields = ["title", "intro", "starts_on", "ends_on"]
    check_edit(
        notice,
        version,
        label=_("公示"),
        values={name: getattr(content, name) for name in fields},
    )
    snapshots = _apply_content(notice, content)
    notice.save(update_fields=[*fields, *stamp(notice, by)])
    # Taken again from the sources: the approver sees what is true now.
    _write_items(notice, snapshots)
    return notice


@transaction.atomic
def notice_add_pledge(*, pledge: Pledge, by) -> Notice:
    """亮诺 one click: put the pledge on its organization's next 亮诺 notice (the open draft,
    or a new one with the default window)."""
    org = pledge.owner_org
    # Lock the organization first, then check: two clicks at once must not open two drafts.
    lock_row(org)
    if not rules.can_compose(by, org):
        raise PermissionDenied
    if pledge.status not in Pledge.PUBLIC_STATUSES:
        raise TransitionError(_("只有已亮诺的承诺可以加入公示"))
    notice = (
        Notice.objects.filter(
            organization=org,
            kind=Notice.Kind.PLEDGES,
            year=pledge.year,
            status__in=Notice.EDITABLE_STATUSES,
            previous__isnull=True,
        )
        .order_by("-id")
        .first()
    )
    if notice is None:
        today = timezone.localdate()
        notice = Notice.objects.create(
            organization=org,
            kind=Notice.Kind.PLEDGES,
            year=pledge.year,
            title=compose.default_title(org, Notice.Kind.PLEDGES, pledge.year, None),
            starts_on=today,
            ends_on=today + datetime.timedelta(days=6),
            created_by=by,
        )
    snapshot = compose.pledge_snapshot(pledge)
    if not notice.items.filter(source=snapshot.source).exists():
        last = notice.items.order_by("-position").values_list("position", flat=True).first()
        NoticeItem.objects.create(
            notice=notice,
            position=(last or 0) + 1,
            source=snapshot.source,
            heading=snapshot.heading[:300],
            status_label=snapshot.status_label,
            lines=snapshot.lines,
        )
    return notice


@transaction.atomic
def notice_submit(*, notice: Notice, by) -> Notice:
    lock_row(notice)
    if not rules.can_compose(by, notice.organization):
        raise PermissionDenied
    if not notice.is_editable:
        raise TransitionError(_("只有草稿或被退回的公示可以提交审核"))
    if not notice.items.exists():
        raise TransitionError(_("公示没有内容，请至少勾选一项"))
    if notice.starts_on < timezone.localdate():
        raise TransitionError(_("公示开始日期已过，请修改公示期后再提交"))
    notice.status = Status.SUBMITTED
    notice.submitted_by, notice.submitted_at = by, timezone.now()
    notice.return_reason = ""
    notice.save(update_fields=["status", "submitted_by", "submitted_at", "return_reason"])
    return notice


@transaction.atomic
def notice_approve(*, notice: Notice, by) -> Notice:
    """The office or the higher organization approves: the notice is public from its window's
    start. A corrected version replaces the one it corrects, which stays readable."""
    lock_row(notice)
    if not rules.can_approve(by, notice):
        if notice.submitted_by_id == by.pk:
            raise TransitionError(_("不能审核自己提交的公示"))
        raise PermissionDenied
    if notice.status != Status.SUBMITTED:
        raise TransitionError(_("只有待审核的公示可以批准"))
    notice.status = Status.APPROVED
    notice.approved_by, notice.approved_at = by, timezone.now()
    notice.save(update_fields=["status", "approved_by", "approved_at"])
    if notice.previous_id is not None:
        previous = notice.previous
        lock_row(previous)
        if previous.status == Status.APPROVED:
            previous.status = Status.SUPERSEDED
            previous.save(update_fields=["status"])
    if notice.kind == Notice.Kind.ASSESSMENTS:
        # 公示 of the grades makes them final (reviews refuses changes from then on).
        assessment_services.assessments_publish(
            by=by, organization=notice.organization, year=notice.year
        )
    if notice.kind == Notice.Kind.SELECTION:
        # The short list is on 公示 for this window; the office decides once it has ended.
        selection_services.selection_publicise(
            by=by,
            nomination_ids=_nomination_ids(notice),
            starts_on=notice.starts_on,
            ends_on=notice.ends_on,
        )
    security_log(
        action=SecurityEvent.Action.PUBLISH, user=by, obj=notice, org_path=notice.organization.path
    )
    refresh_public(notice.organization_id)
    notify(kind="notice_approved", subject=notice, by=by)
    return notice


@transaction.atomic
def notice_return(*, notice: Notice, by, reason: str) -> Notice:
    lock_row(notice)
    if not rules.can_approve(by, notice):
        raise PermissionDenied
    if notice.status != Status.SUBMITTED:
        raise TransitionError(_("只有待审核的公示可以退回"))
    notice.return_reason = checked_text(reason, REASON_MAX, _("退回原因"), required=True)
    notice.status = Status.RETURNED
    notice.save(update_fields=["status", "return_reason"])
    notify(kind="notice_returned", subject=notice, by=by)
    return notice


@transaction.atomic
def notice_withdraw(*, notice: Notice, by, reason: str) -> Notice:
    """A published notice is taken down; its page says so and why."""
    lock_row(notice)
    if not (rules.can_withdraw(by, notice) or rules.can_approve(by, notice)):
        raise PermissionDenied
    if notice.status != Status.APPROVED:
        raise TransitionError(_("只有已批准的公示可以撤回"))
    notice.withdraw_reason = checked_text(reason, REASON_MAX, _("撤回原因"), required=True)
    notice.status = Status.WITHDRAWN
    notice.withdrawn_by, notice.withdrawn_at = by, timezone.now()
    notice.save(update_fields=["status", "withdraw_reason", "withdrawn_by", "withdrawn_at"])
    if notice.kind == Notice.Kind.SELECTION:
        selection_services.selection_unpublicise(by=by, nomination_ids=_nomination_ids(notice))
    security_log(
        action=SecurityEvent.Action.WITHDRAW, user=by, obj=notice, org_path=notice.organization.path
    )
    refresh_public(notice.organization_id)
    return notice


@transaction.atomic
def notice_correct(*, notice: Notice, by, note: str, content: NoticeContent) -> Notice:
    """更正: a new version, taken afresh from the sources, saying what was corrected. It goes
    through approval like any notice; the old version stays public until then."""
    lock_row(notice)
    if not rules.can_compose(by, notice.organization):
        raise PermissionDenied
    if notice.status != Status.APPROVED:
        raise TransitionError(_("只有已批准的公示可以更正"))
    if Notice.objects.filter(previous=notice).exists():
        raise TransitionError(_("该公示已有更正版本，请在更正版本上继续"))
    new = Notice(
        organization=notice.organization,
        kind=notice.kind,
        year=notice.year,
        month=notice.month,
        correction_number=notice.correction_number + 1,
        previous=notice,
        created_by=by,
        correction_note=checked_text(note, NOTE_MAX, _("更正说明"), required=True),
    )
    snapshots = _apply_content(new, content)
    new.save()
    _write_items(new, snapshots)
    return new


@transaction.atomic
def notice_delete_draft(*, notice: Notice, by) -> None:
    lock_row(notice)
    if not rules.can_compose(by, notice.organization):
        raise PermissionDenied
    if notice.status != Status.DRAFT:
        raise TransitionError(_("只有草稿可以删除"))
    notice.delete()
