"""群众评议情况统计表 (Excel) of one mass evaluation."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.xlsx import text_safe

from ..models import MIN_RESPONSES, MassEvaluation
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
