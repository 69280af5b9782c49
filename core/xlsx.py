"""One way to write an office ledger (台账) as an .xlsx: title row, frozen header, borders,
dates as dates, late rows in red, A4 landscape print setup. Every ledger export uses it.

The workbook is write-only, so rows go to the file as they are read and memory stays flat.
"""

from __future__ import annotations

import datetime
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from typing import IO
from urllib.parse import quote

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "yyyy-mm-dd"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_MAX_TEXT = 32767


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


def text_width(text: str) -> int:
    """Columns a text takes in Excel: a Chinese character is as wide as two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_width(*texts: object, minimum: float = 6, maximum: float = 60, padding: int = 2) -> float:
    """A column width (in Excel's character units) that fits the longest line of `texts`,
    between `minimum` and `maximum`: for headers and sample values with Chinese text."""
    widest = max(
        (text_width(line) for text in texts for line in str(text or "").splitlines()), default=0
    )
    return float(min(max(widest + padding, minimum), maximum))


def clean_text(value: str) -> str:
    """Text Excel can hold: control characters (NUL…) dropped, at most 32,767 characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", value[:EXCEL_MAX_TEXT])


class _BodyCell(Cell):
    """A body cell whose style id is worked out once. The writer asks every cell for its style
    id, and the base class hashes the cell's whole style into the workbook's list each time."""

    __slots__ = ("style_id",)
    has_style = True


class _LedgerSheet(WriteOnlyWorksheet):
    """A write-only sheet whose body rows are plain values turned into cells here.

    openpyxl builds (or re-binds) a cell object per value and, for a styled one, looks its
    style up per cell. Here each column keeps one plain and one dated cell with a fixed style
    id, and every value only sets `row` and the value on it: the same work openpyxl's own
    unstyled write-only path does, plus the style attribute in the XML.
    """

    def start_body(self, styles: dict[str, int], late_column: int | None) -> None:
        self._styles, self._late_column = styles, late_column
        self._normal: list[tuple[_BodyCell, _BodyCell]] = []
        self._late: list[tuple[_BodyCell, _BodyCell]] = []
        self.late = False
        self.in_body = True

    def end_body(self) -> None:
        self.in_body = False

    in_body = False

    def _column(self, index: int, late: bool) -> tuple[_BodyCell, _BodyCell]:
        plain, dated = ("late", "late_dated") if late else ("plain", "dated")
        cells = []
        for name in (plain, dated):
            cell = _BodyCell(self, row=1, column=index)
            cell.style_id = self._styles[name]
            cells.append(cell)
        return cells[0], cells[1]

    def _grow(self, width: int) -> None:
        for index in range(len(self._normal) + 1, width + 1):
            normal = self._column(index, late=False)
            self._normal.append(normal)
            is_late = index - 1 == self._late_column
            self._late.append(self._column(index, late=True) if is_late else normal)

    def _values_to_row(self, values, row_idx):
        if not self.in_body:
            return super()._values_to_row(values, row_idx)
        if len(values) > len(self._normal):
            self._grow(len(values))
        return self._body_cells(self._late if self.late else self._normal, values, row_idx)

    @staticmethod
    def _body_cells(columns, values, row_idx):
        for (plain, dated), value in zip(columns, values, strict=False):  # a short row: fewer cells
            kind = type(value)
            if kind is str:
                # Always a string cell: text starting with = + - @ tab CR is never a formula.
                cell = plain
                if len(value) > EXCEL_MAX_TEXT or ILLEGAL_CHARACTERS_RE.search(value):
                    value = clean_text(value)
                cell._value, cell.data_type = value, "s"
            elif kind is int or kind is float:
                cell = plain
                cell._value, cell.data_type = value, "n"
            elif value is None:
                cell = plain
                cell._value, cell.data_type = None, "n"  # still written: it keeps its border
            elif kind is datetime.date or kind is datetime.datetime:
                cell = dated
                if kind is datetime.datetime and value.tzinfo is not None:
                    value = timezone.localtime(value).replace(tzinfo=None)
                cell._value, cell.data_type = value, "d"
            else:
                cell = plain
                _bind_other(cell, value)
            cell.row = row_idx
            yield cell


def _bind_other(cell: Cell, value: object) -> None:
    """Booleans, decimals, lazy translations and anything else: openpyxl's own typing, with
    whatever it cannot hold as text, and text never a formula or an error code."""
    try:
        cell.value = value
    except (ValueError, IllegalCharacterError):
        cell.value = clean_text(str(value))
    if cell.data_type in ("f", "e"):
        cell.data_type = "s"
    elif cell.data_type == "s" and isinstance(cell._value, str):
        cell._value = clean_text(cell._value)


def _safe_cell(sheet, value: object) -> WriteOnlyCell:
    """A styled cell (title, header, totals) for any value: text stays text."""
    cell = WriteOnlyCell(sheet)
    _bind_other(cell, value)
    return text_safe(cell)


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
    totals: Callable[[int], list] | None = None,
    progress: Callable[[int], object] | None = None,
    progress_every: int = 1000,
) -> int:
    """Write `rows` (each turned into cells by `to_cells(index, row)`); return their count.

    `columns` is a tuple of (header, width in characters); a width of None fits the header
    (see `fit_width`). `totals(count)`, if given, returns the values of a bold last row.
    `progress(count)` is called every `progress_every` rows and once at the end.
    """
    workbook = Workbook(write_only=True)
    sheet = _LedgerSheet(parent=workbook, title=sheet_name)
    workbook._add_sheet(sheet)
    last_letter = get_column_letter(len(columns))
    # Widths, panes and print setup must be set before the first row is written.
    for i, (header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = (
            fit_width(header) if width is None else width
        )
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

    head = _safe_cell(sheet, title)
    head.font = Font(size=16, bold=True)
    head.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merged_cells.add(CellRange(f"A1:{last_letter}1"))
    sheet.row_dimensions[1].height = 30
    sheet.append([head])

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header = []
    for name, _width in columns:
        cell = _safe_cell(sheet, str(name))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FCE4D6")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        header.append(cell)
    sheet.append(header)

    # Each body style is registered once; the body cells carry its id (see _LedgerSheet).
    wrap = Alignment(vertical="top", wrap_text=True)
    red = Font(color="C00000", bold=True)
    styles = {
        "plain": _prototype(sheet, alignment=wrap, border=border),
        "dated": _prototype(sheet, alignment=wrap, border=border, number_format=DATE_FORMAT),
        "late": _prototype(sheet, alignment=wrap, border=border, font=red),
        "late_dated": _prototype(
            sheet, alignment=wrap, border=border, font=red, number_format=DATE_FORMAT
        ),
    }
    sheet.start_body({name: cell.style_id for name, cell in styles.items()}, late_column)
    count = 0
    for count, row in enumerate(rows, start=1):
        sheet.late = late_column is not None and is_late(row)
        sheet.append(to_cells(count, row))
        if progress is not None and count % progress_every == 0:
            progress(count)
    sheet.end_body()
    if count == 0:
        sheet.append([_safe_cell(sheet, empty)])
    elif totals is not None:
        bold = Font(bold=True)
        last = []
        for value in totals(count):
            cell = _safe_cell(sheet, value)
            cell.font, cell.border, cell.alignment = bold, border, wrap
            last.append(cell)
        sheet.append(last)
    if progress is not None:
        progress(count)
    workbook.save(out)
    return count
