"""The roster import template an office downloads and fills in."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from core.xlsx_import import NO, YES

from ...models import Member, Organization
from .shape import COLUMNS, EXAMPLE_NAME, MAX_ROWS


def write_template(out: IO[bytes], *, org: Organization) -> None:
    """The import template: header, one example row, dropdowns, text format for numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("党员名册")
    lists = workbook.create_sheet(_("可选值"))
    header_fill = PatternFill("solid", fgColor="FCE4D6")
    for i, col in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=i, value=col.header)
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center")
        cell.comment = Comment(str(col.note), "")
        sheet.column_dimensions[get_column_letter(i)].width = col.width
    letters = {col.key: get_column_letter(i) for i, col in enumerate(COLUMNS, start=1)}
    branches = list(
        Organization.objects.subtree_of(org)
        .filter(level__in=[Organization.Level.BRANCH, Organization.Level.GROUP])
        .values_list("name", flat=True)
    )
    example = {
        "name": EXAMPLE_NAME,
        "gender": str(Member.Gender.MALE.label),
        "org": branches[0] if branches else "",
        "kind": str(Member.Kind.ON_DUTY.label),
        "probationary": NO,
        "phone": "13800000000",
    }
    for i, col in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=2, column=i, value=example.get(col.key))
        cell.font = Font(italic=True, color="808080")
        if col.key in ("phone", "id_card", "username"):
            cell.number_format = "@"
    last = MAX_ROWS + 1
    for key in ("phone", "id_card", "username"):
        # Text format, so Excel keeps leading zeros and all 18 ID digits.
        sheet.column_dimensions[letters[key]].number_format = "@"
    sheet.freeze_panes = "A2"

    # Dropdown values live on a second sheet: inline lists are limited to 255 characters.
    choice_lists = {
        "gender": [str(label) for _, label in Member.Gender.choices],
        "kind": [str(label) for _, label in Member.Kind.choices],
        "probationary": [YES, NO],
        "org": branches,
    }
    lists.column_dimensions["D"].width = 30
    for j, key in enumerate(("gender", "kind", "probationary", "org"), start=1):
        header = next(c.header for c in COLUMNS if c.key == key)
        lists.cell(row=1, column=j, value=header).font = Font(bold=True)
        values = choice_lists[key]
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=j, value=value)
        if not values:
            continue
        letter = get_column_letter(j)
        ref = f"{quote_sheetname(lists.title)}!${letter}$2:${letter}${len(values) + 1}"
        dv = DataValidation(
            type="list",
            formula1=ref,
            allow_blank=True,
            showErrorMessage=key != "org",
            errorTitle=_("输入无效"),
            error=_("请从下拉列表中选择"),
        )
        dv.add(f"{letters[key]}2:{letters[key]}{last}")
        sheet.add_data_validation(dv)
    workbook.save(out)
