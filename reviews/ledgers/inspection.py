"""The inspection's two Excel files, built in the background: the results by branch (检查结果
台账) and the 整改通知书台账, each for a subtree and a period. Rows are tuples of
`visible_to(user)`, streamed; whatever a user typed is written as text (core.xlsx)."""

from __future__ import annotations

from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import stream
from core.periods import Period, progress_of
from core.xlsx import write_ledger
from pledges.models import Organization

from ..models import InspectionNotice, InspectionRound, InspectionTarget
from .review import person

CHUNK = 2000

RESULT_COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("检查"), 26),
    (gettext_lazy("检查方式"), 10),
    (gettext_lazy("党支部"), 22),
    (gettext_lazy("检查结果"), 10),
    (gettext_lazy("未达标项目"), 36),
    (gettext_lazy("检查意见"), 28),
    (gettext_lazy("检查人"), 10),
    (gettext_lazy("检查日期"), 12),
)
RESULT_FIELDS = (
    "round__title",
    "round__kind",
    "round__checklist",
    "organization__name",
    "status",
    "answers",
    "remark",
    "checked_by__first_name",
    "checked_by__last_name",
    "checked_by__username",
    "checked_at",
)

NOTICE_COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("编号"), 12),
    (gettext_lazy("党支部"), 22),
    (gettext_lazy("存在问题"), 32),
    (gettext_lazy("整改要求"), 30),
    (gettext_lazy("下达日期"), 12),
    (gettext_lazy("整改时限"), 12),
    (gettext_lazy("状态"), 12),
    (gettext_lazy("整改情况"), 32),
    (gettext_lazy("复验意见"), 24),
    (gettext_lazy("复验日期"), 12),
)
NOTICE_STATUS_COLUMN = 7
NOTICE_FIELDS = (
    "number",
    "organization__name",
    "problems",
    "requirements",
    "issued_on",
    "deadline",
    "status",
    "answer",
    "recheck_remark",
    "rechecked_at",
)


def _period_filter(period: Period, prefix: str = "") -> dict:
    f: dict = {f"{prefix}year": period.year}
    if period.half:
        f[f"{prefix}half"] = period.half
    return f


def results_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(period)s检查结果") % {"org": org.name, "period": period.label}


def notices_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(period)s整改通知书台账") % {"org": org.name, "period": period.label}


def ledger_results(user, org: Organization, period: Period) -> QuerySet:
    return (
        InspectionTarget.objects.visible_to(user)
        .filter(organization__path__startswith=org.path, **_period_filter(period, "round__"))
        .order_by("round_id", "organization__path")
        .values_list(*RESULT_FIELDS)
    )


def result_row(index: int, row: tuple, labels: dict) -> list:
    title, kind, checklist, org, status, answers, remark, first, last, username, at = row
    unmet = [i["label"] for i in checklist if answers and not answers.get(i["key"], False)]
    return [
        index,
        title,
        labels[kind],
        org,
        labels[status],
        "；".join(unmet) if status != InspectionTarget.Status.PENDING else "",
        remark,
        person(first or "", last or "", username or ""),
        timezone.localtime(at).date() if at else None,
    ]


def write_results(out: IO[bytes], *, user, org: Organization, period: Period, progress=None):
    labels = {
        **{v: str(label) for v, label in InspectionRound.Kind.choices},
        **{v: str(label) for v, label in InspectionTarget.Status.choices},
    }
    rows = ledger_results(user, org, period)
    return write_ledger(
        out,
        sheet_name=_("检查结果"),
        title=results_title(org, period),
        columns=RESULT_COLUMNS,
        rows=stream(rows, CHUNK),
        to_cells=lambda n, row: result_row(n, row, labels),
        empty=_("没有可导出的检查结果"),
        progress=progress_of(progress, rows.count()) if progress else None,
    )


def ledger_notices(user, org: Organization, period: Period) -> QuerySet:
    return (
        InspectionNotice.objects.visible_to(user)
        .filter(
            organization__path__startswith=org.path, **_period_filter(period, "target__round__")
        )
        .order_by("committee_id", "year", "number")
        .values_list(*NOTICE_FIELDS)
    )


def notice_row(index: int, row: tuple, labels: dict) -> list:
    number, org, problems, requirements, issued_on, deadline, status = row[:7]
    answer, remark, rechecked_at = row[7:]
    return [
        index,
        number,
        org,
        problems,
        requirements,
        issued_on,
        deadline,
        labels[status],
        answer,
        remark,
        timezone.localtime(rechecked_at).date() if rechecked_at else None,
    ]


def write_notices(out: IO[bytes], *, user, org: Organization, period: Period, progress=None):
    labels = {v: str(label) for v, label in InspectionNotice.Status.choices}
    today = timezone.localdate()
    rows = ledger_notices(user, org, period)
    return write_ledger(
        out,
        sheet_name=_("整改通知书台账"),
        title=notices_title(org, period),
        columns=NOTICE_COLUMNS,
        rows=stream(rows, CHUNK),
        to_cells=lambda n, row: notice_row(n, row, labels),
        late_column=NOTICE_STATUS_COLUMN,
        is_late=lambda row: row[6] in InspectionNotice.PENDING_STATUSES and row[5] < today,
        empty=_("没有可导出的整改通知书"),
        progress=progress_of(progress, rows.count()) if progress else None,
    )


def build_results(job: Any, out: IO[bytes], progress) -> int:
    org = Organization.objects.get(pk=job.params["org"])
    period = Period.parse(job.params["period"])
    return write_results(out, user=job.requester, org=org, period=period, progress=progress)


def build_notices(job: Any, out: IO[bytes], progress) -> int:
    org = Organization.objects.get(pk=job.params["org"])
    period = Period.parse(job.params["period"])
    return write_notices(out, user=job.requester, org=org, period=period, progress=progress)
