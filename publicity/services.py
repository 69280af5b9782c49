"""Every change to notices and opinions goes through one function here.

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

from core import once
from core.errors import TransitionError
from core.ratelimit import rate_limited
from core.security.models import SecurityEvent
from core.security.services import security_log
from core.text import checked_text
from core.versions import check_edit, stamp
from pledges.models import Organization, Pledge
from reviews.services import assessment as assessment_services
from reviews.services import rectification as rectification_services

from . import compose, permissions
from .cache import bump_organizations
from .models import (
    CONTACT_MAX,
    INTRO_MAX,
    MAX_WINDOW_DAYS,
    NAME_MAX,
    NOTE_MAX,
    OPINION_MAX,
    REASON_MAX,
    TITLE_MAX,
    Notice,
    NoticeItem,
    Opinion,
)

Status = Notice.Status
# Opinions per address and hour (意见箱): enough for anyone, too few for a flood.
OPINION_RATE_LIMIT = 5


def _lock(obj) -> None:
    """Lock the row and reload the caller's instance with the committed state, so a double
    post meets the first one's result instead of repeating it."""
    list(type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db()


def _refresh_public(org_id: int) -> None:
    # Now, and again after the commit: a reader between the two may have cached the old page
    # under the first new version; the second bump makes that copy unreachable.
    bump_organizations([org_id])
    transaction.on_commit(lambda: bump_organizations([org_id]))


def _text(value: str, limit: int, label: str, *, required: bool = False) -> str:
    return checked_text(value, limit, label, required=required)


# --- notices -------------------------------------------------------------------------------


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
    notice.title = _text(content.title, TITLE_MAX, _("标题"), required=True)
    notice.intro = _text(content.intro, INTRO_MAX, _("公示说明"))
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
    if not permissions.can_compose(by, organization):
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
    _lock(notice)
    if not permissions.can_compose(by, notice.organization):
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
    if not permissions.can_compose(by, org):
        raise PermissionDenied
    if pledge.status not in Pledge.PUBLIC_STATUSES:
        raise TransitionError(_("只有已亮诺的承诺可以加入公示"))
    # Lock the organization: two clicks at once must not open two drafts.
    list(Organization.objects.select_for_update().filter(pk=org.pk).values_list("pk"))
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
    _lock(notice)
    if not permissions.can_compose(by, notice.organization):
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
    _lock(notice)
    if not permissions.can_approve(by, notice):
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
        _lock(previous)
        if previous.status == Status.APPROVED:
            previous.status = Status.SUPERSEDED
            previous.save(update_fields=["status"])
    if notice.kind == Notice.Kind.ASSESSMENTS:
        # 公示 of the grades makes them final (reviews refuses changes from then on).
        assessment_services.assessments_publish(
            by=by, organization=notice.organization, year=notice.year
        )
    security_log(
        action=SecurityEvent.Action.PUBLISH, user=by, obj=notice, org_path=notice.organization.path
    )
    _refresh_public(notice.organization_id)
    return notice


@transaction.atomic
def notice_return(*, notice: Notice, by, reason: str) -> Notice:
    _lock(notice)
    if not permissions.can_approve(by, notice):
        raise PermissionDenied
    if notice.status != Status.SUBMITTED:
        raise TransitionError(_("只有待审核的公示可以退回"))
    notice.return_reason = _text(reason, REASON_MAX, _("退回原因"), required=True)
    notice.status = Status.RETURNED
    notice.save(update_fields=["status", "return_reason"])
    return notice


@transaction.atomic
def notice_withdraw(*, notice: Notice, by, reason: str) -> Notice:
    """A published notice is taken down; its page says so and why."""
    _lock(notice)
    if not (permissions.can_withdraw(by, notice) or permissions.can_approve(by, notice)):
        raise PermissionDenied
    if notice.status != Status.APPROVED:
        raise TransitionError(_("只有已批准的公示可以撤回"))
    notice.withdraw_reason = _text(reason, REASON_MAX, _("撤回原因"), required=True)
    notice.status = Status.WITHDRAWN
    notice.withdrawn_by, notice.withdrawn_at = by, timezone.now()
    notice.save(update_fields=["status", "withdraw_reason", "withdrawn_by", "withdrawn_at"])
    security_log(
        action=SecurityEvent.Action.WITHDRAW, user=by, obj=notice, org_path=notice.organization.path
    )
    _refresh_public(notice.organization_id)
    return notice


@transaction.atomic
def notice_correct(*, notice: Notice, by, note: str, content: NoticeContent) -> Notice:
    """更正: a new version, taken afresh from the sources, saying what was corrected. It goes
    through approval like any notice; the old version stays public until then."""
    _lock(notice)
    if not permissions.can_compose(by, notice.organization):
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
        version=notice.version + 1,
        previous=notice,
        created_by=by,
        correction_note=_text(note, NOTE_MAX, _("更正说明"), required=True),
    )
    snapshots = _apply_content(new, content)
    new.save()
    _write_items(new, snapshots)
    return new


@transaction.atomic
def notice_delete_draft(*, notice: Notice, by) -> None:
    _lock(notice)
    if not permissions.can_compose(by, notice.organization):
        raise PermissionDenied
    if notice.status != Status.DRAFT:
        raise TransitionError(_("只有草稿可以删除"))
    notice.delete()


# --- opinions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpinionContent:
    text: str
    name: str = ""
    contact: str = ""


@transaction.atomic
def opinion_submit(
    *,
    organization: Organization,
    content: OpinionContent,
    address: str,
    notice: Notice | None = None,
    pledge: Pledge | None = None,
) -> Opinion:
    """意见箱: anyone, no login. Checked first, then counted against the address's hourly
    limit, so a message that is refused for its content does not use up a try."""
    text = _text(content.text, OPINION_MAX, _("意见内容"), required=True)
    name = _text(content.name, NAME_MAX, _("称呼"))
    contact = _text(content.contact, CONTACT_MAX, _("联系方式"))
    if notice is not None and notice.organization_id != organization.pk:
        raise TransitionError(_("公示不属于该党组织"))
    if pledge is not None and pledge.owner_org_id != organization.pk:
        raise TransitionError(_("承诺不属于该党组织"))
    # The same text from the same address (a double click, a resend, a script) is taken once.
    if not once.first_time(
        "opinion", address, str(organization.pk), " ".join(text.split()), seconds=600
    ):
        raise TransitionError(_("这条意见刚才已经收到，10 分钟内相同的内容只收一次，请勿重复提交"))
    if rate_limited("opinion", address, limit=OPINION_RATE_LIMIT, seconds=3600):
        raise TransitionError(
            _("提交过于频繁：每小时最多提交 5 条意见，请稍后再试，您的内容已保留")
        )
    return Opinion.objects.create(
        organization=organization,
        notice=notice,
        pledge=pledge,
        text=text,
        name=name,
        contact=contact,
    )


def _moderated(opinion: Opinion, by) -> Opinion:
    _lock(opinion)
    if not permissions.can_moderate(by, opinion.organization):
        raise PermissionDenied
    return opinion


def _stamp(opinion: Opinion, by, fields: list[str]) -> None:
    opinion.moderated_by, opinion.moderated_at = by, timezone.now()
    opinion.save(update_fields=[*fields, "moderated_by", "moderated_at"])


@transaction.atomic
def opinion_publish(*, opinion: Opinion, by, reply: str = "") -> Opinion:
    """Publish the opinion, with an optional public reply (the reply may also be added or
    changed later by publishing again)."""
    _moderated(opinion, by)
    if opinion.status not in (Opinion.Status.PENDING, Opinion.Status.PUBLISHED):
        raise TransitionError(_("已私下答复或不予公开的意见不能再公开"))
    opinion.public_reply = _text(reply, OPINION_MAX, _("公开答复"))
    opinion.status = Opinion.Status.PUBLISHED
    _stamp(opinion, by, ["status", "public_reply"])
    _refresh_public(opinion.organization_id)
    return opinion


@transaction.atomic
def opinion_answer(*, opinion: Opinion, by, answer: str) -> Opinion:
    """Answer privately (through the contact given); the opinion stays unpublished."""
    _moderated(opinion, by)
    if opinion.status != Opinion.Status.PENDING:
        raise TransitionError(_("只有待处理的意见可以私下答复"))
    opinion.private_answer = _text(answer, OPINION_MAX, _("答复内容"), required=True)
    opinion.status = Opinion.Status.ANSWERED
    _stamp(opinion, by, ["status", "private_answer"])
    return opinion


@transaction.atomic
def opinion_reject(*, opinion: Opinion, by, reason: str) -> Opinion:
    _moderated(opinion, by)
    if opinion.status != Opinion.Status.PENDING:
        raise TransitionError(_("只有待处理的意见可以不予公开"))
    opinion.reject_reason = _text(reason, REASON_MAX, _("不予公开原因"), required=True)
    opinion.status = Opinion.Status.REJECTED
    _stamp(opinion, by, ["status", "reject_reason"])
    return opinion


@dataclass(frozen=True)
class RectificationContent:
    problem: str
    measures: str
    responsible: str
    deadline: datetime.date


@transaction.atomic
def opinion_to_rectification(*, opinion: Opinion, by, content: RectificationContent) -> Opinion:
    """群众提出的问题纳入整改: a rectification item of the organization, followed to closure
    like any other; a published opinion's page shows its progress."""
    _moderated(opinion, by)
    if opinion.rectification_item_id is not None:
        raise TransitionError(_("该意见已纳入整改"))
    if opinion.status == Opinion.Status.REJECTED:
        raise TransitionError(_("不予公开的意见不能纳入整改"))
    item = rectification_services.item_raise(
        by=by,
        organization=opinion.organization,
        problem=_text(content.problem, OPINION_MAX, _("问题"), required=True),
        measures=_text(content.measures, OPINION_MAX, _("整改措施"), required=True),
        responsible=_text(content.responsible, 100, _("责任人"), required=True),
        deadline=content.deadline,
        remark=_("群众意见 #%(n)d") % {"n": opinion.pk},
    )
    opinion.rectification_item = item
    opinion.save(update_fields=["rectification_item"])
    _refresh_public(opinion.organization_id)
    return opinion
