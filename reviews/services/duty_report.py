"""Changes to 述职: write (and change while a draft), submit, and record each audience's 测评.

Each function is keyword-only, atomic, checks the permission and the state, locks the row it
changes, writes, and records who did it. Views, demo data and tests all go through these."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import is_sane
from core.errors import TransitionError
from core.locks import lock_first, lock_row
from core.notifications.events import notify
from core.notifications.services import NotificationItem
from core.ratelimit import over_limit, rate_limited
from core.text import checked_text
from core.versions import check_version, stamp
from pledges.models import Member, Organization
from pledges.services.reminders import secretaries_by_org

from ..models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DUTY_REPORT_MAX_LENGTH,
    MAX_VOTES,
    DutyReport,
    DutyReportCode,
    DutyReportTally,
)
from ..rules.duty_report import can_tally_duty_report, can_write_duty_report
from .mass_evaluation import CodeRefused, new_code, normalize_code

GRADE_FIELDS = ("good", "fairly_good", "average", "poor")


def _check(existing, sent: int | None, label: str) -> None:
    check_version(
        current=existing.edit_version if existing else 0,
        sent=sent,
        label=label,
        who=existing.edited_by if existing else None,
        when=existing.edited_at if existing else None,
    )


@transaction.atomic
def duty_report_save(
    *,
    by,
    organization: Organization,
    member: Member | None = None,
    year: int,
    text: str,
    version: int | None,
) -> DutyReport:
    """Write the year's 述职 (the secretary's when `member` is None), or change the draft.
    `version` is the one the form showed, 0 when there was no report yet."""
    if member is not None and member.organization_id != organization.pk:
        raise TransitionError(_("党员不属于该组织"))
    existing = lock_first(
        DutyReport.objects.filter(year=year, organization=organization, member=member)
    )
    if not can_write_duty_report(by, organization, member):
        raise PermissionDenied
    if not 2000 <= year <= timezone.localdate().year:
        raise TransitionError(_("年度有误"))
    text = checked_text(text, DUTY_REPORT_MAX_LENGTH, _("述职报告"), required=True)
    if existing is not None and existing.status != DutyReport.Status.DRAFT:
        raise TransitionError(_("述职报告已提交，不能再修改"))
    _check(existing, version, _("述职报告"))
    now = timezone.now()
    if existing is None:
        try:
            with transaction.atomic():
                return DutyReport.objects.create(
                    year=year,
                    organization=organization,
                    member=member,
                    text=text,
                    created_by=by,
                    created_at=now,
                    edited_by=by,
                    edited_at=now,
                )
        except IntegrityError as e:
            raise TransitionError(_("该述职报告刚被他人创建，请刷新页面后重试")) from e
    existing.text = text
    existing.save(update_fields=["text", *stamp(existing, by)])
    return existing


@transaction.atomic
def duty_report_submit(*, by, report: DutyReport) -> DutyReport:
    """Hand the report in: from then on it is what was said, and the 测评 can be recorded."""
    lock_row(report)
    if not can_write_duty_report(by, report.organization, report.member):
        raise PermissionDenied
    if report.status != DutyReport.Status.DRAFT:
        raise TransitionError(_("述职报告已经提交"))
    report.status = DutyReport.Status.SUBMITTED
    report.submitted_by, report.submitted_at = by, timezone.now()
    report.save(update_fields=["status", "submitted_by", "submitted_at"])
    notify(kind="duty_report_submitted", subject=report, by=by)
    return report


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_VOTES:
        raise TransitionError(_("票数应为 0 到 %(n)d 之间的整数") % {"n": MAX_VOTES})
    return value


@transaction.atomic
def duty_report_tally_record(
    *,
    by,
    report: DutyReport,
    audience: str,
    held_on: datetime.date,
    counts: dict[str, int],
    version: int | None,
) -> DutyReportTally:
    """Record (or correct) one audience's 测评 from the paper tally: how many marked 好, 较好,
    一般 and 差. `version` is the tally's the form showed, 0 when there was none."""
    lock_row(report)
    existing = lock_first(DutyReportTally.objects.filter(report=report, audience=audience))
    if not can_tally_duty_report(by, report):
        raise PermissionDenied
    if audience not in DutyReportTally.Audience.values:
        raise TransitionError(_("请选择述职对象"))
    if report.status != DutyReport.Status.SUBMITTED:
        raise TransitionError(_("述职报告提交后才能录入测评"))
    if not is_sane(held_on) or held_on > timezone.localdate():
        raise TransitionError(_("述职日期有误"))
    values = {name: _count(counts.get(name, 0)) for name in GRADE_FIELDS}
    if not sum(values.values()):
        raise TransitionError(_("请填写测评票数"))
    _check(existing, version, _("述职测评"))
    now = timezone.now()
    if existing is None:
        try:
            with transaction.atomic():
                return DutyReportTally.objects.create(
                    report=report,
                    audience=audience,
                    held_on=held_on,
                    edited_by=by,
                    edited_at=now,
                    **values,
                )
        except IntegrityError as e:
            raise TransitionError(_("该测评刚被他人录入，请刷新页面后重试")) from e
    existing.held_on = held_on
    for name, value in values.items():
        setattr(existing, name, value)
    existing.save(update_fields=["held_on", *values, *stamp(existing, by)])
    return existing


# --- 测评 by codes (instead of paper ballots) -----------------------------------------------

MAX_CODES_PER_ISSUE = 200
# As the mass evaluation: a meeting answers from one network, a script spending codes does not.
VOTE_RATE_LIMIT = 100
GUESS_RATE_LIMIT = 20


@transaction.atomic
def duty_report_codes_issue(
    *, by, report: DutyReport, audience: str, count: int
) -> list[DutyReportCode]:
    """Single-use codes for those present at one audience's meeting; each adds one grade."""
    lock_row(report)
    if not can_tally_duty_report(by, report):
        raise PermissionDenied
    if audience not in DutyReportTally.Audience.values:
        raise TransitionError(_("请选择述职对象"))
    if report.status != DutyReport.Status.SUBMITTED:
        raise TransitionError(_("述职报告提交后才能录入测评"))
    if not 1 <= count <= MAX_CODES_PER_ISSUE:
        raise TransitionError(_("每次可发放 1 至 %(n)d 个测评码") % {"n": MAX_CODES_PER_ISSUE})
    wanted: set[str] = set()
    while len(wanted) < count:
        wanted |= {new_code() for _i in range(count - len(wanted))}
        wanted -= set(DutyReportCode.objects.filter(code__in=wanted).values_list("code", flat=True))
    return DutyReportCode.objects.bulk_create(
        [DutyReportCode(report=report, audience=audience, code=c) for c in sorted(wanted)]
    )


def check_vote_code(raw: str, *, for_update: bool = False) -> DutyReportCode:
    """The code if it can be used now, else CodeRefused with a message for the voter."""
    code = normalize_code(raw)
    well_formed = len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)
    found = None
    if well_formed:
        qs = DutyReportCode.objects.select_related("report__organization", "report__member")
        found = lock_first(qs.filter(code=code)) if for_update else qs.filter(code=code).first()
    if found is None:
        raise CodeRefused(_("测评码无效，请核对测评码是否输入正确"), "unknown")
    if found.used_on is not None:
        raise CodeRefused(_("该测评码已经使用过，每个测评码只能测评一次"), "used")
    return found


def check_vote_code_from(raw: str, *, address: str) -> DutyReportCode:
    """check_vote_code for the public page: wrong guesses are counted per address."""
    if over_limit("duty-vote-guess", address, limit=GUESS_RATE_LIMIT):
        raise CodeRefused(_("测评码输错次数过多，请一小时后再试"), "limited")
    try:
        return check_vote_code(raw)
    except CodeRefused as e:
        if e.reason == "unknown":
            rate_limited("duty-vote-guess", address, limit=GUESS_RATE_LIMIT, seconds=3600)
        raise


@transaction.atomic
def duty_report_vote(*, code: str, grade: str, address: str) -> DutyReportTally:
    """One person's grade by code: the code is spent and the audience's tally counts one more,
    both or neither. The code row is locked first, so one code never counts twice."""
    found = check_vote_code(code, for_update=True)
    if grade not in GRADE_FIELDS:
        raise TransitionError(_("请选择：好、较好、一般、差"))
    if rate_limited("duty-vote", address, limit=VOTE_RATE_LIMIT, seconds=3600):
        raise TransitionError(_("提交过于频繁，请稍后再试"))
    today = timezone.localdate()
    found.used_on = today  # the day only: no time to line codes up with grades
    found.save(update_fields=["used_on"])
    lock_row(found.report)  # the first vote creates the tally: one at a time
    tally = lock_first(DutyReportTally.objects.filter(report=found.report, audience=found.audience))
    if tally is None:
        return DutyReportTally.objects.create(
            report=found.report, audience=found.audience, held_on=today, **{grade: 1}
        )
    setattr(tally, grade, getattr(tally, grade) + 1)
    # A paper-tally form opened before this vote is now stale: it would overwrite the vote.
    tally.edit_version += 1
    tally.save(update_fields=[grade, "edit_version"])
    return tally


# --- the reminder: 11月下旬 the year's 述职 (source 001) -----------------------------------

DUTY_REPORT_DUE = "duty_report_due"


def _in_duty_window(day: datetime.date) -> bool:
    """From 20 November to 10 December: 述职 comes before the year's grades."""
    return (day.month == 11 and day.day >= 20) or (day.month == 12 and day.day <= 10)


def duty_report_due(day: datetime.date) -> list[NotificationItem]:
    """Each secretary whose own 述职 of the year is not handed in: two queries for a city."""
    if not _in_duty_window(day):
        return []
    handed_in = set(
        DutyReport.objects.filter(
            year=day.year, member__isnull=True, status=DutyReport.Status.SUBMITTED
        ).values_list("organization_id", flat=True)
    )
    items = []
    for org_id, user_ids in secretaries_by_org().items():
        if org_id in handed_in:
            continue
        link = f"{reverse('reviews:duty_report', args=[org_id])}?year={day.year}"
        for user_id in user_ids:
            items.append(
                NotificationItem(
                    recipient_id=user_id,
                    kind=DUTY_REPORT_DUE,
                    subject_key=f"o:{org_id}",
                    period=str(day.year),
                    title=_("请提交%(year)d年度述职报告") % {"year": day.year},
                    body=_("年度总评在书记和党员述职、民主评议和满意度测评的基础上评定。"),
                    link=link,
                )
            )
    return items
