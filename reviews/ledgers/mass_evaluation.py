"""群众评议情况统计表 (Excel): of one evaluation (its organization and members, a small
synchronous download from the evaluation's page), and across the branches of a subtree for a
period (one row per evaluation, built in the background: reviews/exports.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.periods import Period, progress_of
from core.xlsx import text_safe, write_ledger
from pledges.models import Organization

from ..models import MIN_RESPONSES, MassEvaluation, Satisfaction
from ..selectors.mass_evaluation import Results

COLUMN_WIDTHS = (28, 10, 10, 8, 10, 8, 10)


def append_text_safe(ws, values: list) -> None:
    """Append a row; a typed string that looks like a formula stays text."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        text_safe(cell)


def write_results(out: IO[bytes], *, evaluation: MassEvaluation, results: Results) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = _("群众评议情况统计表")
    ws.append([_("群众评议情况统计表")])
    ws["A1"].font = Font(bold=True, size=14)
    append_text_safe(
        ws,
        [
            evaluation.display_title,
            _("截止日期"),
            evaluation.ends_on.isoformat(),
            _("参评人数"),
            results.responses,
            _("有效") if results.is_valid else _("无效（不足 %(n)d 人）") % {"n": MIN_RESPONSES},
        ],
    )
    ws.append(
        [
            _("评议对象"),
            _("类别"),
            _("参评人数"),
            _("满意"),
            _("基本满意"),
            _("不满意"),
            _("满意率"),
        ]
    )
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in results.rows:
        append_text_safe(
            ws,
            [
                row.name,
                str(row.kind),
                row.total,
                row.satisfied,
                row.basic,
                row.unsatisfied,
                round(row.rate, 4) if row.rate is not None else None,
            ],
        )
        ws.cell(row=ws.max_row, column=7).number_format = "0.0%"
    for col, width in zip("ABCDEFG", COLUMN_WIDTHS, strict=True):
        ws.column_dimensions[col].width = width
    wb.save(out)


# ---- 群众评议情况统计表 across branches: one row per evaluation ---------------------------

SURVEY_COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("党组织"), 24),
    (gettext_lazy("评议期间"), 16),
    (gettext_lazy("截止日期"), 12),
    (gettext_lazy("参评人数"), 10),
    (gettext_lazy("满意"), 8),
    (gettext_lazy("基本满意"), 10),
    (gettext_lazy("不满意"), 8),
    (gettext_lazy("满意率（%）"), 12),
    (gettext_lazy("评议结果"), 18),
)
SURVEY_FIELDS = (
    "organization__name",
    "year",
    "half",
    "ends_on",
    "closed_at",
    "satisfied",
    "basic",
    "unsatisfied",
)
CHUNK = 2000


def survey_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(period)s群众评议情况统计表") % {"org": org.name, "period": period.label}


def survey_rows(user, org: Organization, period: Period) -> QuerySet:
    """The subtree's evaluations of the period with their answers counted, as tuples."""
    S = Satisfaction
    period_filter = {"year": period.year, **({"half": period.half} if period.half else {})}
    return (
        MassEvaluation.objects.visible_to(user)
        .filter(organization__path__startswith=org.path, **period_filter)
        .annotate(
            satisfied=Count("responses", filter=Q(responses__rating=S.SATISFIED)),
            basic=Count("responses", filter=Q(responses__rating=S.BASIC)),
            unsatisfied=Count("responses", filter=Q(responses__rating=S.UNSATISFIED)),
        )
        .order_by("organization__path", "year", "half", "id")
        .values_list(*SURVEY_FIELDS)
    )


def rate_percent(satisfied: int, basic: int, total: int) -> float | None:
    """满意率 = (满意 + 基本满意) / 参评人数, in percent to one decimal."""
    return round((satisfied + basic) * 100 / total, 1) if total else None


class _Survey:
    """Labels looked up once, and the sums of the ended evaluations for the totals row."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.halves = {v: str(label) for v, label in MassEvaluation.Half.choices}
        self.open, self.valid = _("评议进行中"), _("有效")
        self.period = _("%(year)d年%(half)s")
        self.invalid = _("无效（不足 %(n)d 人）") % {"n": MIN_RESPONSES}
        self.sums = [0, 0, 0, 0]
        self.ended = 0

    def row(self, index: int, row: tuple) -> list:
        org, year, half, ends_on, closed_at, satisfied, basic, unsatisfied = row
        period = self.period % {"year": year, "half": self.halves.get(half, half)}
        if closed_at is None and self.today <= ends_on:
            # Figures that move while answers arrive could be matched to who just answered.
            return [index, org, period, ends_on, None, None, None, None, None, self.open]
        total = satisfied + basic + unsatisfied
        self.ended += 1
        for i, n in enumerate((total, satisfied, basic, unsatisfied)):
            self.sums[i] += n
        result = self.valid if total >= MIN_RESPONSES else self.invalid
        rate = rate_percent(satisfied, basic, total)
        return [index, org, period, ends_on, total, satisfied, basic, unsatisfied, rate, result]

    def totals(self, count: int) -> list:
        total, satisfied, basic, unsatisfied = self.sums
        label = _("合计（%(n)d 次评议已结束）") % {"n": self.ended}
        return [_("合计"), label, None, None, *self.sums, rate_percent(satisfied, basic, total)]


def write_survey(out: IO[bytes], *, user, org: Organization, period: Period, progress=None) -> int:
    """群众评议情况统计表 of the subtree's evaluations in the period; returns their number."""
    survey = _Survey(timezone.localdate())
    rows = survey_rows(user, org, period)
    report = progress_of(progress, rows.count()) if progress else None
    return write_ledger(
        out,
        sheet_name=_("群众评议情况统计表"),
        title=survey_title(org, period),
        columns=SURVEY_COLUMNS,
        rows=rows.iterator(CHUNK),
        to_cells=survey.row,
        empty=_("没有可导出的群众评议"),
        totals=survey.totals,
        progress=report,
    )


def build(job: Any, out: IO[bytes], progress) -> int:
    org = Organization.objects.get(pk=job.params["org"])
    period = Period.parse(job.params["period"], ("year", "half"))
    return write_survey(out, user=job.requester, org=org, period=period, progress=progress)


def survey_cells(user, org: Organization, period: Period) -> Iterator[list]:
    """The 统计表's rows as the workbook's cells (for a filing's PDF)."""
    survey = _Survey(timezone.localdate())
    for n, row in enumerate(survey_rows(user, org, period).iterator(CHUNK), start=1):
        yield survey.row(n, row)
