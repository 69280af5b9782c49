"""The pledge import template a secretary downloads and fills in offline."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ...models import Member, Organization, Pledge
from ...rules.pledge_content import period_bounds
from .checking import book_orgs
from .shape import EXAMPLE_TITLE, MAX_ROWS, TEMPLATE

TITLE_ROW, HEADER_ROW = 1, 2


def template_title(org: Organization, year: int, half: int) -> str:
    period = str(Pledge.Half(half).label) if half else ""
    return _("%(org)s %(year)d年度%(period)s承诺导入模板") % {
        "org": org.name,
        "year": year,
        "period": period,
    }


def write_template(out: IO[bytes], *, org: Organization, year: int, half: int) -> None:
    """Title, header, one example row; owner (the organization, its 党小组 and their members)
    and kind as drop-down lists, deadline as a date within the period."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("承诺")
    lists = workbook.create_sheet(_("可选值"))
    columns = TEMPLATE.columns
    letters = {col.key: get_column_letter(i) for i, col in enumerate(columns, start=1)}
    sheet.cell(row=TITLE_ROW, column=1, value=template_title(org, year, half)).font = Font(
        size=14, bold=True
    )
    header_fill = PatternFill("solid", fgColor="FCE4D6")
    for i, col in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=i, value=col.header)
        cell.font = Font(bold=True, color="C00000")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        cell.comment = Comment(str(col.note), "")
        sheet.column_dimensions[letters[col.key]].width = col.width
    start, end = period_bounds(year, half)
    orgs = book_orgs(org)
    members = list(
        Member.objects.filter(organization__in=orgs)
        .order_by("organization__path", "id")
        .values_list("name", flat=True)
    )
    example = {
        "owner": members[0] if members else org.name,
        "kind": str(Pledge.Kind.SERVICE.label),
        "title": EXAMPLE_TITLE,
        "measures": _("每月第一周上门，帮助打扫卫生、代购生活用品"),
        "deadline": end,
        "expected_result": _("老人生活有人照应，满意"),
    }
    first, last = HEADER_ROW + 1, HEADER_ROW + MAX_ROWS + 1
    wrap = Alignment(vertical="top", wrap_text=True)
    for i, col in enumerate(columns, start=1):
        cell = sheet.cell(row=first, column=i, value=example[col.key])
        cell.font = Font(italic=True, color="808080")
        cell.alignment = wrap
    sheet.cell(row=first, column=list(letters).index("deadline") + 1).number_format = "yyyy-mm-dd"
    sheet.column_dimensions[letters["deadline"]].number_format = "yyyy-mm-dd"
    sheet.freeze_panes = f"A{first}"

    # Drop-down values live on a second sheet: inline lists are limited to 255 characters.
    choice_lists = {
        "owner": [o.name for o in orgs] + members,
        "kind": [str(label) for _v, label in Pledge.Kind.choices],
    }
    lists.column_dimensions["A"].width = 24
    for j, key in enumerate(("owner", "kind"), start=1):
        lists.cell(row=1, column=j, value=TEMPLATE.header_of(key)).font = Font(bold=True)
        values = choice_lists[key]
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=j, value=value)
        letter = get_column_letter(j)
        dv = DataValidation(
            type="list",
            formula1=f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("输入无效"),
            error=_("请从下拉列表中选择"),
        )
        dv.add(f"{letters[key]}{first}:{letters[key]}{last}")
        sheet.add_data_validation(dv)
    dates = DataValidation(
        type="date",
        operator="between",
        formula1=f"DATE({start.year},{start.month},{start.day})",
        formula2=f"DATE({end.year},{end.month},{end.day})",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=_("日期无效"),
        error=_("完成时限应在 %(start)s 至 %(end)s 之间") % {"start": start, "end": end},
    )
    dates.add(f"{letters['deadline']}{first}:{letters['deadline']}{last}")
    sheet.add_data_validation(dates)
    workbook.save(out)
