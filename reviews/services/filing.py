"""Changes to filings (备案): file (again after a return), receive, return; the package built in
the background lands on the filing it was built for.

Each function is keyword-only, atomic, locks what it changes, then checks the rule and the state
on the locked row, and records who did it. The package is built by the export machinery
(core.exports: a job queued once the filing commits, run by Celery, idempotent); its builder is
reviews.ledgers.filing, registered in reviews/exports.py."""

from __future__ import annotations

import datetime
from typing import IO

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import TransitionError
from core.exports.models import ExportJob
from core.exports.services import export_start
from core.locks import lock_first, lock_row, lock_rows
from core.notifications.events import notify
from core.notifications.services import NotificationItem
from core.periods import Period
from core.text import REASON_MAX, checked_text
from pledges.models import Organization
from pledges.services.reminders import secretaries_by_org

from ..models import Filing, FilingEvent
from ..rules.filing import (
    can_decide_filing,
    can_file,
    filing_due,
    filing_opens,
    is_open_for_filing,
    latest_period,
)

PACKAGE_KIND = "filing_package"
S = Filing.Status
Action = FilingEvent.Action


def _start_package(filing: Filing, by) -> None:
    """Queue the package's build (after commit) for this round of the filing."""
    job = export_start(
        by=by, kind=PACKAGE_KIND, params={"filing": filing.pk, "round": filing.rounds}
    )
    filing.package_job = job


@transaction.atomic
def filing_submit(*, organization: Organization, period: Period, by) -> Filing:
    """File the branch's half-year (or file it again after a return); the package of its
    attachments is built in the background."""
    # The organization's row serializes two first filings of the same half.
    lock_rows(Organization.objects.filter(pk=organization.pk))
    if not can_file(by, organization):
        raise PermissionDenied
    if period.half is None:
        raise TransitionError(_("备案按半年报送"))
    if not is_open_for_filing(period):
        raise TransitionError(
            _("%(period)s的备案自 %(day)s 起才能报送")
            % {"period": period.label, "day": filing_opens(period.year, period.half).isoformat()}
        )
    filing = lock_first(
        Filing.objects.filter(organization=organization, year=period.year, half=period.half)
    )
    now = timezone.now()
    if filing is None:
        filing = Filing(organization=organization, year=period.year, half=period.half)
    elif filing.status != S.RETURNED:
        # Also what a second click meets: one filing, not two.
        raise TransitionError(
            _("%(period)s已经报送备案（%(status)s）")
            % {"period": period.label, "status": filing.get_status_display()}
        )
    filing.status, filing.filed_by, filing.filed_at = S.FILED, by, now
    filing.rounds += 1
    filing.package, filing.package_built_at = "", None
    filing.decided_by, filing.decided_at = None, None
    filing.save()
    _start_package(filing, by)
    filing.save(update_fields=["package_job"])
    FilingEvent.objects.create(filing=filing, action=Action.FILE, by=by, at=now)
    notify(kind="filing_filed", subject=filing, by=by)
    return filing


@transaction.atomic
def filing_package_rebuild(*, filing: Filing, by) -> Filing:
    """Build the package again when its build failed or never started (the background service
    was down): the filer's move, while the filing waits for the office."""
    lock_row(filing)
    if not can_file(by, filing.organization):
        raise PermissionDenied
    if filing.status != S.FILED or filing.package:
        raise TransitionError(_("只有已报送、尚未生成材料的备案可以重新生成材料"))
    job = (
        ExportJob.objects.filter(pk=filing.package_job_id).first()
        if filing.package_job_id
        else None
    )
    if job is not None and job.status != ExportJob.Status.FAILED and not job.is_stale():
        raise TransitionError(_("备案材料正在生成，请稍候"))
    _start_package(filing, by)
    filing.save(update_fields=["package_job"])
    return filing


@transaction.atomic
def filing_package_attach(*, filing_id: int, job_id: int, data: IO[bytes]) -> bool:
    """Keep the package the job built on the filing, if the job is still the filing's (a
    package built for an earlier round, or built twice, never replaces the current one).
    Returns whether it was kept."""
    filing = lock_first(Filing.objects.filter(pk=filing_id))
    if filing is None or filing.package_job_id != job_id or filing.package:
        return False
    data.seek(0)
    filing.package.save("package.zip", File(data), save=False)
    filing.package_built_at = timezone.now()
    filing.save(update_fields=["package", "package_built_at"])
    return True


def _decide(filing: Filing, by) -> None:
    lock_row(filing)
    if not can_decide_filing(by, filing):
        raise PermissionDenied
    if filing.status != S.FILED:
        raise TransitionError(
            _("该备案当前为“%(status)s”，只有已报送的备案可以接收或退回")
            % {"status": filing.get_status_display()}
        )


@transaction.atomic
def filing_receive(*, filing: Filing, by) -> Filing:
    """The office received the package (once it is built: it receives what it could open)."""
    _decide(filing, by)
    if not filing.package:
        raise TransitionError(_("备案材料尚未生成，生成后才能接收"))
    now = timezone.now()
    filing.status, filing.decided_by, filing.decided_at = S.RECEIVED, by, now
    filing.save(update_fields=["status", "decided_by", "decided_at"])
    FilingEvent.objects.create(filing=filing, action=Action.RECEIVE, by=by, at=now)
    notify(kind="filing_received", subject=filing, by=by)
    return filing


@transaction.atomic
def filing_return(*, filing: Filing, by, reason: str) -> Filing:
    """The office sends the filing back with a reason; the branch files again."""
    _decide(filing, by)
    reason = checked_text(reason, REASON_MAX, _("退回原因"), required=True)
    now = timezone.now()
    filing.status, filing.decided_by, filing.decided_at = S.RETURNED, by, now
    filing.return_reason = reason
    filing.save(update_fields=["status", "decided_by", "decided_at", "return_reason"])
    FilingEvent.objects.create(filing=filing, action=Action.RETURN, by=by, at=now, remark=reason)
    notify(kind="filing_returned", subject=filing, by=by)
    return filing


# --- the filing reminder (一年两次备案) -------------------------------------------------------

FILING = "filing"
# Reminders in the week up to the due day; a missed beat catches up the next day.
FILING_NOTICE_DAYS = 7


def filing_reminders(day: datetime.date) -> list[NotificationItem]:
    """Secretaries of branches that have not filed the half-year due within the week (a
    filing returned to them counts as not filed): a reminder rule (services.reminders)."""
    period = latest_period(day)
    due = filing_due(None, period.year, period.half)
    if not due - datetime.timedelta(days=FILING_NOTICE_DAYS) <= day <= due:
        return []
    secretaries = secretaries_by_org()
    filed = Filing.objects.filter(
        organization=OuterRef("pk"),
        year=period.year,
        half=period.half,
        status__in=(S.FILED, S.RECEIVED),
    )
    unfiled = Organization.objects.filter(level=Organization.Level.BRANCH).filter(~Exists(filed))
    items = []
    for org_id, name in unfiled.values_list("pk", "name").iterator(chunk_size=5000):
        for user_id in secretaries.get(org_id, ()):
            items.append(
                NotificationItem(
                    recipient_id=user_id,
                    kind=FILING,
                    subject_key=f"o:{org_id}",
                    period=period.code,
                    title=_("%(org)s：请在 %(deadline)s 前报送%(period)s备案材料")
                    % {"org": name, "deadline": due.isoformat(), "period": period.label},
                    body=_(
                        "承诺书、承诺践诺台账、点评登记表、群众评议情况统计表和整改台账由系统"
                        "汇总生成，在备案页面一键报送。"
                    ),
                    link=f"{reverse('reviews:filing', args=[org_id])}?period={period.code}",
                )
            )
    return items
