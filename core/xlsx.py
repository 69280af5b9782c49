"""One way to write an office ledger (台账) as an .xlsx: title row, frozen header, borders,
dates as dates, late rows in red, A4 landscape print setup. Every ledger export uses it.

The workbook is write-only, so rows go to the file as they are read and memory stays flat.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Callable, Iterable
from copy import copy
from typing import IO
from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "yyyy-mm-dd"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Excel treats text starting with these as a formula (or DDE); a user typed it, so it stays text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def text_safe(cell: WriteOnlyCell) -> WriteOnlyCell:
    """Store a typed string that looks like a formula as a string: the sheet shows it, never
    evaluates it."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
    return cell


def xlsx_download(write: Callable[[IO[bytes]], object], *, filename: str, ascii_name: str):
    """A private .xlsx download: `write(out)` fills the file; the name is Chinese (RFC 5987)
    with a plain fallback for old browsers."""
    # Spooled: small files stay in memory, a county's thousands of rows go to a temp file.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    write(out)
    out.seek(0)
    response = FileResponse(out, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _prototype(sheet, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    for attr, value in style.items():
        setattr(cell, attr, value)
    return cell


def write_ledger(
    out: IO[bytes],
    *,
    sheet_name: str,
    title: str,
    columns: tuple,
    rows: Iterable,
    to_cells: Callable[[int, object], list],
    empty: str,
    late_column: int | None = None,
    is_late: Callable[[object], bool] = lambda row: False,
) -> int:
    """Write `rows` (each turned into cells by `to_cells(index, row)`); return their count.

    `columns` is a tuple of (header, width in characters).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    last_letter = get_column_letter(len(columns))
    # Widths, panes and print setup must be set before the first row is written.
    for i, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")
    sheet.oddFooter.right.text = _("导出日期：%(date)s") % {
        "date": f"{timezone.localdate():%Y-%m-%d}"
    }

    head = WriteOnlyCell(sheet, title)
    head.font = Font(size=16, bold=True)
    head.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merged_cells.add(CellRange(f"A1:{last_letter}1"))
    sheet.row_dimensions[1].height = 30
    sheet.append([head])

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = []
    for name, _width in columns:
        cell = WriteOnlyCell(sheet, str(name))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FCE4D6")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        header.append(cell)
    sheet.append(header)

    # Styles are set once on prototypes and their style ids copied: setting a style object
    # on every cell hashes it each time and takes half the export's time.
    wrap = Alignment(vertical="top", wrap_text=True)
    plain = _prototype(sheet, alignment=wrap, border=border)
    dated = _prototype(sheet, alignment=wrap, border=border, number_format=DATE_FORMAT)
    late = _prototype(sheet, alignment=wrap, border=border, font=Font(color="C00000", bold=True))
    count = 0
    for count, row in enumerate(rows, start=1):
        cells = []
        for value in to_cells(count, row):
            cell = text_safe(WriteOnlyCell(sheet, value))
            proto = dated if isinstance(value, datetime.date) else plain
            cell._style = copy(proto._style)
            cells.append(cell)
        if late_column is not None and is_late(row):
            cells[late_column]._style = copy(late._style)
        sheet.append(cells)
    if count == 0:
        sheet.append([empty])
    workbook.save(out)
    return count
