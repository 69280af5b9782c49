"""Every change to an opinion (意见箱) goes through one function here: anyone submits, the
secretary or the office above moderates (publish, answer privately, reject, turn into a
rectification item)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import once
from core.errors import TransitionError
from core.locks import lock_row
from core.notifications.events import notify
from core.ratelimit import rate_limited
from core.text import REASON_MAX, checked_text
from core.versions import check_edit, stamp
from pledges.models import Organization, Pledge
from reviews.services import rectification as rectification_services

from ..models import CONTACT_MAX, NAME_MAX, OPINION_MAX, Notice, Opinion
from ..rules import opinion as rules
from .notice import refresh_public

# Opinions per address and hour (意见箱): enough for anyone, too few for a flood.
OPINION_RATE_LIMIT = 5


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
    text = checked_text(content.text, OPINION_MAX, _("意见内容"), required=True)
    name = checked_text(content.name, NAME_MAX, _("称呼"))
    contact = checked_text(content.contact, CONTACT_MAX, _("联系方式"))
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
    opinion = Opinion.objects.create(
        organization=organization,
        notice=notice,
        pledge=pledge,
        text=text,
        name=name,
        contact=contact,
    )
    notify(kind="opinion_received", subject=opinion)
    return opinion


def _moderated(opinion: Opinion, by) -> Opinion:
    lock_row(opinion)
    if not rules.can_moderate(by, opinion.organization):
        raise PermissionDenied
    return opinion


def _stamp(opinion: Opinion, by, fields: list[str]) -> None:
    opinion.moderated_by, opinion.moderated_at = by, timezone.now()
    opinion.save(update_fields=[*fields, "moderated_by", "moderated_at", *stamp(opinion, by)])


@transaction.atomic
def opinion_publish(*, opinion: Opinion, by, reply: str = "", version: int | None) -> Opinion:
    """Publish the opinion, with an optional public reply (the reply may also be added or
    changed later by publishing again). `version` is the opinion's edit_version the form was
    made from: a second moderator's reply never silently replaces the first."""
    _moderated(opinion, by)
    if opinion.status not in (Opinion.Status.PENDING, Opinion.Status.PUBLISHED):
        raise TransitionError(_("已私下答复或不予公开的意见不能再公开"))
    reply = checked_text(reply, OPINION_MAX, _("公开答复"))
    check_edit(opinion, version, label=_("意见"), values={"public_reply": reply})
    opinion.public_reply = reply
    opinion.status = Opinion.Status.PUBLISHED
    _stamp(opinion, by, ["status", "public_reply"])
    refresh_public(opinion.organization_id)
    return opinion


@transaction.atomic
def opinion_answer(*, opinion: Opinion, by, answer: str) -> Opinion:
    """Answer privately (through the contact given); the opinion stays unpublished."""
    _moderated(opinion, by)
    if opinion.status != Opinion.Status.PENDING:
        raise TransitionError(_("只有待处理的意见可以私下答复"))
    opinion.private_answer = checked_text(answer, OPINION_MAX, _("答复内容"), required=True)
    opinion.status = Opinion.Status.ANSWERED
    _stamp(opinion, by, ["status", "private_answer"])
    return opinion


@transaction.atomic
def opinion_reject(*, opinion: Opinion, by, reason: str) -> Opinion:
    _moderated(opinion, by)
    if opinion.status != Opinion.Status.PENDING:
        raise TransitionError(_("只有待处理的意见可以不予公开"))
    opinion.reject_reason = checked_text(reason, REASON_MAX, _("不予公开原因"), required=True)
    opinion.status = Opinion.Status.REJECTED
    _stamp(opinion, by, ["status", "reject_reason"])
    return opinion


@dataclass(frozen=True)
class RectificationContent:
    problem: str
    measures: str
    responsible: str
    deadline: datetime.date
    target: str = ""


@transaction.atomic
def opinion_to_rectification(*, opinion: Opinion, by, content: RectificationContent) -> Opinion:
    """群众提出的问题纳入整改: a rectification item of the organization, followed to closure
    like any other; a published opinion's page shows its progress."""
    _moderated(opinion, by)
    if opinion.rectification_item_id is not None:
        raise TransitionError(_("该意见已纳入整改"))
    if opinion.status == Opinion.Status.REJECTED:
        raise TransitionError(_("不予公开的意见不能纳入整改"))
    item = rectification_services.rectification_item_raise(
        by=by,
        organization=opinion.organization,
        problem=checked_text(content.problem, OPINION_MAX, _("问题"), required=True),
        target=checked_text(content.target, OPINION_MAX, _("整改目标"), required=True),
        measures=checked_text(content.measures, OPINION_MAX, _("整改措施"), required=True),
        responsible=checked_text(content.responsible, 100, _("责任人"), required=True),
        deadline=content.deadline,
        remark=_("群众意见 #%(n)d") % {"n": opinion.pk},
    )
    opinion.rectification_item = item
    opinion.save(update_fields=["rectification_item", *stamp(opinion, by)])
    refresh_public(opinion.organization_id)
    return opinion
