"""年度总评结果 (Excel) of an organization's year page."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from pledges.models import Organization

from ..selectors.assessment import YearRow
from .mass_evaluation import append_text_safe

COLUMNS = (
    gettext_lazy("对象"),
    gettext_lazy("类别"),
    gettext_lazy("承诺已销号"),
    gettext_lazy("承诺总数"),
    gettext_lazy("一季度"),
    gettext_lazy("二季度"),
    gettext_lazy("三季度"),
    gettext_lazy("四季度"),
    gettext_lazy("整改率"),
    gettext_lazy("上半年满意率"),
    gettext_lazy("下半年满意率"),
    gettext_lazy("总评等次"),
    gettext_lazy("评先评优"),
    gettext_lazy("备注"),
)
PERCENT_COLUMNS = (9, 10, 11)


def grade_row(row: YearRow) -> list:
    halves = row.halves()
    a = row.assessment
    return [
        row.name,
        _("党员") if row.member else _("党组织"),
        row.pledges_closed,
        row.pledges_total,
        *["、".join(g) for g in row.grades_by_quarter()],
        row.rect_rate,
        halves[0]["rate"] if halves[0]["valid"] else None,
        halves[1]["rate"] if halves[1]["valid"] else None,
        a.get_grade_display() if a else "",
        _("是") if a and a.exemplary else "",
        a.remark if a else "",
    ]


def write_grades(out: IO[bytes], *, org: Organization, year: int, rows: list[YearRow]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = _("年度总评")
    append_text_safe(ws, [_("%(org)s %(year)d年度总评结果") % {"org": org.name, "year": year}])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([str(c) for c in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in rows:
        append_text_safe(ws, grade_row(row))
        for col in PERCENT_COLUMNS:
            ws.cell(row=ws.max_row, column=col).number_format = "0.0%"
    ws.column_dimensions["A"].width = 28
    wb.save(out)
