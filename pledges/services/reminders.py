"""一月一提醒: monthly reminders to record progress, and overdue reminders to secretaries.

Each reminder is first inserted under a unique (recipient, kind, period) constraint and only
then mailed, so running a task twice sends nothing twice. A row whose mail failed keeps
`sent_at` empty and is retried by the next run.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Member, Pledge, Position, ProgressRecord, Reminder

log = logging.getLogger(__name__)


def _deliver(reminder: Reminder) -> bool:
    # Claim the row first: of two runs that overlap, only one mails this reminder.
    if not Reminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(
        sent_at=timezone.now()
    ):
        return False
    if not reminder.recipient.email:
        # No address: the reminder stays recorded as handled; nothing to mail.
        return False
    try:
        send_mail(
            reminder.subject,
            reminder.body,
            settings.DEFAULT_FROM_EMAIL,
            [reminder.recipient.email],
        )
    except OSError:
        # Give the claim back so the next run tries again.
        Reminder.objects.filter(pk=reminder.pk).update(sent_at=None)
        log.warning("reminder %s not mailed; will retry on the next run", reminder.pk)
        return False
    return True


def _queue(recipient_id: int, kind: str, period: str, subject: str, body: str) -> Reminder | None:
    """Insert the reminder row once; None if it was already sent for this period."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                recipient_id=recipient_id, kind=kind, period=period, subject=subject, body=body
            )
    except IntegrityError:
        existing = Reminder.objects.get(recipient_id=recipient_id, kind=kind, period=period)
        return existing if existing.sent_at is None else None


def reminders_send_monthly_progress(*, today: datetime.date | None = None) -> int:
    """Members with a login and a running pledge but no progress record this month."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    period = f"{today:%Y-%m}"
    recorded = ProgressRecord.objects.filter(
        pledge__owner_member=OuterRef("pk"), date__gte=month_start
    )
    members = (
        Member.objects.filter(user__isnull=False, user__is_active=True)
        .annotate(
            running=Count("pledges", filter=Q(pledges__status__in=Pledge.RUNNING_STATUSES)),
            recorded=Exists(recorded),
        )
        .filter(running__gt=0, recorded=False)
        .values_list("user_id", "name", "running")
    )
    sent = 0
    for user_id, name, running in members.iterator():
        reminder = _queue(
            user_id,
            Reminder.Kind.MONTHLY_PROGRESS,
            period,
            _("请记录本月践诺情况"),
            _("%(name)s同志：您有 %(n)d 项承诺正在践诺，本月尚未记实，请登录系统填写。")
            % {"name": name, "n": running},
        )
        if reminder is not None and _deliver(reminder):
            sent += 1
    return sent


def reminders_send_overdue(*, today: datetime.date | None = None) -> int:
    """Each branch secretary hears once a month about the branch's overdue pledges."""
    today = today or timezone.localdate()
    period = f"{today:%Y-%m}"
    overdue = (
        Pledge.objects.overdue(today)
        .values("owner_org_id")
        .annotate(n=Count("id"))
        .values_list("owner_org_id", "n")
    )
    per_org = dict(overdue)
    if not per_org:
        return 0
    sent = 0
    secretaries = Position.objects.filter(
        kind=Position.Kind.SECRETARY, organization_id__in=per_org
    ).values_list("user_id", "organization_id", "organization__name")
    for user_id, org_id, org_name in secretaries:
        reminder = _queue(
            user_id,
            Reminder.Kind.OVERDUE,
            f"{period}:{org_id}",
            _("%(org)s有逾期承诺") % {"org": org_name},
            _("%(org)s有 %(n)d 项承诺已超过完成时限，请督促办理或如实认定。")
            % {"org": org_name, "n": per_org[org_id]},
        )
        if reminder is not None and _deliver(reminder):
            sent += 1
    return sent
