"""One way to write an office ledger (台账) as an .xlsx: title row, frozen header, borders,
dates as dates, late rows in red, A4 landscape print setup. Every ledger export uses it.

Written by XlsxWriter in its `constant_memory` mode: each row goes to the file as it is read,
so memory stays flat, and only the public API is used (bench/xlsx_writers.py: faster than
openpyxl's bare write-only mode, styles included). openpyxl stays for reading uploads
(core.xlsx_import) and for the small in-memory sheets that style cell by cell.
"""

from __future__ import annotations

import datetime
import math
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .downloads import attachment_header

DATE_FORMAT = "yyyy-mm-dd"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXCEL_MAX_TEXT = 32767
# Control characters an .xlsx cannot hold (tab and newline it can), and CR: a cell breaks lines
# with a newline, and a CR would be stored as the escape "_x000D_".
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
NEEDS_CLEANING_RE = re.compile(r"[\000-\010\013\014\016-\037\r]")
A4 = 9  # Excel's paper size code

# Excel treats text starting with these as a formula (or DDE); a user typed it, so it stays text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def text_safe(cell):
    """An openpyxl cell whose typed string looks like a formula is stored as a string: the
    sheet shows it, never evaluates it (for sheets built with openpyxl, cell by cell)."""
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
    response["Content-Disposition"] = attachment_header(filename, ascii_name=ascii_name)
    response["Cache-Control"] = "private, no-store"
    return response


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
    """Text Excel can hold: line breaks as newlines, control characters (NUL…) dropped, at
    most 32,767 characters."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_MAX_TEXT]


def _text(value: str) -> str:
    if len(value) > EXCEL_MAX_TEXT or NEEDS_CLEANING_RE.search(value):
        return clean_text(value)
    return value


def _writer(sheet, plain, dated):
    """`write(row, column, value)`: every value by its type, typed text always as text."""
    write_string, write_number = sheet.write_string, sheet.write_number

    def write(r: int, c: int, value: object) -> None:
        kind = type(value)
        if kind is str:
            # Always a string cell: text starting with = + - @ tab CR is never a formula.
            if value:
                write_string(r, c, _text(value), plain)
            else:
                sheet.write_blank(r, c, None, plain)  # an empty cell, as openpyxl wrote it
        elif kind is int or kind is float:
            if kind is float and not math.isfinite(value):
                write_string(r, c, str(value), plain)
            else:
                write_number(r, c, value, plain)
        elif value is None:
            sheet.write_blank(r, c, None, plain)  # still written: it keeps its border
        elif kind is datetime.date or kind is datetime.datetime:
            if kind is datetime.datetime and value.tzinfo is not None:
                value = timezone.localtime(value).replace(tzinfo=None)
            sheet.write_datetime(r, c, value, dated)
        elif kind is bool:
            sheet.write_boolean(r, c, value, plain)
        elif isinstance(value, Decimal) and value.is_finite():
            write_number(r, c, float(value), plain)
        else:  # lazy translations and anything else: its text
            write_string(r, c, _text(str(value)), plain)

    return write


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
    workbook = xlsxwriter.Workbook(
        out,
        {
            # Rows are flushed to a temp file as the next one starts: memory stays flat.
            "constant_memory": True,
            # Text is text: never turned into a formula, a link or a number.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(clean_text(sheet_name)[:31] or "Sheet1")
    last = len(columns) - 1
    for i, (header, width) in enumerate(columns):
        sheet.set_column(i, i, fit_width(header) if width is None else width)
    sheet.freeze_panes(2, 0)
    sheet.repeat_rows(1)
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(1, 0)
    sheet.center_horizontally()
    sheet.set_margins(left=0.4, right=0.4)
    footer_date = _("导出日期：%(date)s") % {"date": f"{timezone.localdate():%Y-%m-%d}"}
    sheet.set_footer("&C" + _("第 &P 页，共 &N 页") + "&R" + footer_date.replace("&", "&&"))

    border = {"border": 1, "border_color": "#000000"}
    body = {"valign": "top", "text_wrap": True, **border}
    red = {"font_color": "#C00000", "bold": True}
    fmt = workbook.add_format
    plain, dated = fmt(body), fmt({**body, "num_format": DATE_FORMAT})
    late, late_dated = fmt({**body, **red}), fmt({**body, **red, "num_format": DATE_FORMAT})
    write, write_late = _writer(sheet, plain, dated), _writer(sheet, late, late_dated)

    sheet.set_row(0, 30)
    head = fmt({"font_size": 16, "bold": True, "align": "center", "valign": "vcenter"})
    if last > 0:
        sheet.merge_range(0, 0, 0, last, "", head)
    sheet.write_string(0, 0, _text(str(title)), head)
    header = fmt({"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True})
    header.set_bg_color("#FCE4D6")
    header.set_border(1)
    for i, (name, _width) in enumerate(columns):
        sheet.write_string(1, i, _text(str(name)), header)

    count = 0
    for count, row in enumerate(rows, start=1):
        r = count + 1
        marked = late_column is not None and is_late(row)
        for c, value in enumerate(to_cells(count, row)):
            (write_late if marked and c == late_column else write)(r, c, value)
        if progress is not None and count % progress_every == 0:
            progress(count)
    if count == 0:
        sheet.write_string(2, 0, _text(str(empty)))
    elif totals is not None:
        bold = fmt({"bold": True, "valign": "top", "text_wrap": True, **border})
        write_bold = _writer(sheet, bold, dated)
        for c, value in enumerate(totals(count)):
            write_bold(count + 2, c, value)
    if progress is not None:
        progress(count)
    workbook.close()
    return count
