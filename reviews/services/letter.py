"""Changes to suggestion letters (建议书): issue, reply, close.

Each function is keyword-only, atomic, checks the permission and the state, locks the row it
changes, writes, and records who did it. Views, demo data and tests all go through these."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import is_sane
from core.errors import TransitionError
from core.locks import lock_row, lock_rows
from core.notifications.events import notify
from core.text import LONG_TEXT_MAX, checked_text
from core.versions import check_edit, stamp
from pledges.models import Member, Organization, Pledge

from ..models import (
    Review,
    SuggestionLetter,
)
from ..rules.letter import can_close_letter, can_issue_letter, can_reply_letter


def _next_letter_number(org: Organization, year: int) -> str:
    # Numbers run per organization: lock it so two letters issued at once get two numbers.
    lock_rows(Organization.objects.filter(pk=org.pk))
    prefix = f"{year}-"
    last = (
        SuggestionLetter.objects.filter(organization=org, number__startswith=prefix)
        .aggregate(m=Max("number"))
        .get("m")
    )
    seq = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{seq:03d}"


@transaction.atomic
def letter_issue(
    *,
    by,
    member: Member,
    reason: str,
    problems: str,
    measures: str,
    deadline: datetime.date,
    review: Review | None = None,
    pledges: Sequence[Pledge] = (),
) -> SuggestionLetter:
    """《公开承诺践诺建议书》 to a member whose pledges fell short or whose review was 差."""
    lock_rows(Member.objects.filter(pk=member.pk))
    if not can_issue_letter(by, member):
        raise PermissionDenied
    open_letter = (
        SuggestionLetter.objects.filter(member=member, reason=reason)
        .exclude(status=SuggestionLetter.Status.CLOSED)
        .first()
    )
    if open_letter is not None:
        # Also what a double-posted form meets: one letter, not two.
        raise TransitionError(
            _("该党员已有同一原因的建议书（%(number)s）尚未办结") % {"number": open_letter.number}
        )
    today = timezone.localdate()
    if reason == SuggestionLetter.Reason.POOR_GRADE:
        if review is None:
            review = (
                Review.objects.filter(
                    member=member,
                    grade=Review.Grade.POOR,
                    status__in=Review.LOCKED_STATUSES,
                )
                .order_by("-year", "-quarter")
                .first()
            )
        if review is None or review.member_id != member.pk or review.grade != Review.Grade.POOR:
            raise TransitionError(_("该党员没有等次为“差”的点评"))
    elif reason == SuggestionLetter.Reason.UNFULFILLED:
        candidates = Pledge.objects.filter(owner_member=member)
        if pledges:
            candidates = candidates.filter(pk__in=[p.pk for p in pledges])
        behind = [p for p in candidates if p.status == Pledge.Status.UNFULFILLED or p.is_overdue]
        if not behind:
            raise TransitionError(_("该党员没有到期未兑现的承诺"))
        pledges = behind
    else:
        raise TransitionError(_("发出原因无效"))
    if not (problems.strip() and measures.strip()):
        raise TransitionError(_("请写明存在问题和整改建议"))
    if deadline <= today:
        raise TransitionError(_("整改时限应晚于今天"))
    if not is_sane(deadline):
        raise TransitionError(_("整改时限应在 2000 年至 2100 年之间"))
    problems = checked_text(problems, LONG_TEXT_MAX, _("存在问题"))
    measures = checked_text(measures, LONG_TEXT_MAX, _("整改建议及措施"))
    letter = SuggestionLetter.objects.create(
        member=member,
        organization=member.organization,
        number=_next_letter_number(member.organization, today.year),
        reason=reason,
        review=review,
        problems=problems,
        measures=measures,
        deadline=deadline,
        issued_by=by,
        issued_on=today,
    )
    if reason == SuggestionLetter.Reason.UNFULFILLED:
        letter.pledges.set(pledges)
    notify(kind="letter_issued", subject=letter, by=by)
    return letter


@transaction.atomic
def letter_reply(
    *, letter: SuggestionLetter, by, reply: str, version: int | None
) -> SuggestionLetter:
    """The member's reply; a second reply replaces the first, so one written on an older page
    (or after the letter was closed meanwhile) is refused."""
    lock_row(letter)
    if not can_reply_letter(by, letter):
        raise PermissionDenied
    if letter.status == SuggestionLetter.Status.CLOSED:
        raise TransitionError(_("建议书已办结"))
    if not reply.strip():
        raise TransitionError(_("请填写回复内容"))
    reply = checked_text(reply, LONG_TEXT_MAX, _("党员回复"))
    check_edit(letter, version, label=_("建议书"), values={"reply": reply})
    letter.reply = reply
    letter.status = SuggestionLetter.Status.REPLIED
    letter.replied_by, letter.replied_at = by, timezone.now()
    letter.save(update_fields=["reply", "status", "replied_by", "replied_at", *stamp(letter, by)])
    notify(kind="letter_replied", subject=letter, by=by)
    return letter


@transaction.atomic
def letter_close(*, letter: SuggestionLetter, by) -> SuggestionLetter:
    lock_row(letter)  # a reply arriving meanwhile is seen, not closed over unread
    if not can_close_letter(by, letter):
        raise PermissionDenied
    if letter.status != SuggestionLetter.Status.REPLIED:
        raise TransitionError(_("党员回复后才能办结"))
    letter.status = SuggestionLetter.Status.CLOSED
    letter.closed_at = timezone.now()
    letter.save(update_fields=["status", "closed_at", *stamp(letter, by)])
    return letter
