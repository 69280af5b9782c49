"""Reading an uploaded .xlsx table, for every import: refuse what cannot be read, find the header
row, pick the layout it belongs to, and hand back the data rows keyed by column. Problems are
collected as RowErrors (row, column letter, header, Chinese message) so that the whole file is
checked before anything is written.

Formula cells are refused, never evaluated and never taken at their cached value: an upload's
cached value may be stale or forged, and what a person meant to write is the text itself. A
string that merely starts with "=" (stored as text) is text and is kept as typed.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

YES, NO = "是", "否"
# A title row or two above the header is common in hand-made and exported sheets.
HEADER_SEARCH_ROWS = 10
READ_COLUMNS = 30
MAX_ERRORS_SHOWN = 200
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class RowError:
    row: int | None
    column: str | None  # the sheet's column letter
    header: str | None
    message: str

    def __str__(self) -> str:
        if self.row and self.column:
            return _("第 %(row)d 行 %(col)s 列（%(header)s）：%(msg)s") % {
                "row": self.row,
                "col": self.column,
                "header": self.header,
                "msg": self.message,
            }
        if self.row:
            return _("第 %(row)d 行：%(msg)s") % {"row": self.row, "msg": self.message}
        return self.message

    def sort_key(self) -> tuple:
        return (self.row or 0, len(self.column or ""), self.column or "")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool  # the header must be present
    width: int
    note: object = ""  # lazy Chinese text, shown on the page and as the header's comment


@dataclass(frozen=True)
class Layout:
    """One shape of sheet an import accepts: its columns, and headers it reads past."""

    name: str
    columns: tuple[Column, ...]
    ignored: frozenset[str] = frozenset()

    @property
    def by_header(self) -> dict[str, Column]:
        return {c.header: c for c in self.columns}

    def header_of(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)


@dataclass
class Row:
    number: int
    cells: dict[str, tuple[str, object]]  # key -> (column letter, raw value)
    # Keys whose cell held a formula: already reported, so later checks stay quiet about them.
    formulas: set[str] = field(default_factory=set)


@dataclass
class Report:
    """What an import says back: how many rows it read and, if any, what is wrong."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    check_only: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:MAX_ERRORS_SHOWN]

    @property
    def hidden_error_count(self) -> int:
        return max(0, len(self.errors) - MAX_ERRORS_SHOWN)

    def refuse(self, message: str, row: int | None = None) -> None:
        self.errors.append(RowError(row, None, None, message))

    def sort_errors(self) -> None:
        self.errors.sort(key=RowError.sort_key)


def open_workbook(upload: UploadedFile, *, max_bytes: int, max_unpacked_bytes: int):
    """The workbook and its first sheet, read-only; FileRefused with the reason otherwise."""
    too_large = _("文件超过 %(mb)s MB，请分批导入") % {"mb": f"{max_bytes / 1048576:g}"}
    if upload.size is not None and upload.size > max_bytes:
        raise FileRefused(too_large)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileRefused(too_large)
    if not data:
        raise FileRefused(_("文件是空的"))
    if data[:8] == OLE2_MAGIC:
        # OLE2: an old .xls, or an .xlsx saved with a password.
        raise FileRefused(
            _("这是旧版 .xls 或加密的文件，请在 Excel 中“另存为” .xlsx 格式（不设密码）后再导入")
        )
    not_xlsx = _("文件不是有效的 .xlsx 表格（可能已损坏或不是 Excel 文件），请使用下载的模板")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # A few MB of zip can hide gigabytes of XML.
            if sum(info.file_size for info in archive.infolist()) > max_unpacked_bytes:
                raise FileRefused(_("表格内容过大，请分批导入"))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = workbook.worksheets[0]
    except FileRefused:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, IndexError) as e:
        raise FileRefused(not_xlsx) from e
    except Exception as e:  # openpyxl raises many kinds of errors on damaged parts
        raise FileRefused(not_xlsx) from e
    # Some writers store a wrong <dimension>; read the rows as they are.
    sheet.reset_dimensions()
    return workbook, sheet


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class Table:
    layout: Layout
    rows: list[Row]
    title: str = ""  # the first non-blank text above the header, if any


def read_table(
    sheet,
    *,
    layouts: Sequence[Layout],
    anchor: str,
    report: Report,
    limit: int,
    make_row: Callable[..., Row] = Row,
    skip: Callable[[Row], bool] = lambda row: False,
) -> Table | None:
    """The data rows (at most `limit` + 1, enough to say a file is too long) under the header
    row: the first of the top rows holding the `anchor` header. None, with the problems in
    `report`, when no layout fits or the sheet cannot be parsed."""
    try:
        return _read(sheet, layouts, anchor, report, limit, make_row, skip)
    except Exception:  # untrusted bytes: a damaged part only shows up while it is parsed
        report.refuse(_("表格内容无法读取（文件可能已损坏），请使用下载的模板"))
        return None


def _read(sheet, layouts, anchor, report, limit, make_row, skip) -> Table | None:
    mapping: dict[int, Column] | None = None
    table: Table | None = None
    title = ""
    for number, cells in enumerate(sheet.iter_rows(min_row=1, max_col=READ_COLUMNS), start=1):
        values = [getattr(c, "value", None) for c in cells]
        if table is None:
            texts = [text_of(v) for v in values]
            if anchor not in texts:
                if number >= HEADER_SEARCH_ROWS:
                    break
                title = title or next((t for t in texts if t), "")
                continue
            found = _map_header(number, texts, layouts, report)
            if found is None:
                return None
            layout, mapping = found
            table = Table(layout=layout, rows=[], title=title)
            continue
        if not any(text_of(values[i]) for i in mapping if i < len(values)):
            continue
        row = make_row(number=number, cells={})
        for i, col in mapping.items():
            cell = cells[i] if i < len(cells) else None
            letter = get_column_letter(i + 1)
            row.cells[col.key] = (letter, getattr(cell, "value", None))
            if getattr(cell, "data_type", None) == "f":
                row.formulas.add(col.key)
                report.errors.append(
                    RowError(
                        number,
                        letter,
                        col.header,
                        _("不能使用公式，请直接填写内容（可复制后“选择性粘贴 → 值”）"),
                    )
                )
        if skip(row):
            continue
        table.rows.append(row)
        if len(table.rows) > limit:
            break
    if table is None:
        headers = "“" + "”“".join(c.header for c in layouts[0].columns[:3]) + "”"
        report.refuse(
            _("未找到表头行（应包含%(headers)s等列），请使用下载的模板") % {"headers": headers}
        )
    return table


def _map_header(
    number: int, texts: list[str], layouts: Sequence[Layout], report: Report
) -> tuple[Layout, dict[int, Column]] | None:
    """The layout whose headers the row holds; otherwise the closest one's problems."""
    best: tuple[list[RowError], Layout, dict[int, Column]] | None = None
    for layout in layouts:
        problems, mapping = _header_problems(number, texts, layout)
        if not problems:
            return layout, mapping
        if best is None or len(problems) < len(best[0]):
            best = (problems, layout, mapping)
    report.errors.extend(best[0])
    return None


def _header_problems(
    number: int, texts: list[str], layout: Layout
) -> tuple[list[RowError], dict[int, Column]]:
    problems: list[RowError] = []
    mapping: dict[int, Column] = {}
    seen: set[str] = set()
    known = layout.by_header
    for i, text in enumerate(texts):
        if not text or text in layout.ignored:
            continue
        letter = get_column_letter(i + 1)
        col = known.get(text)
        if col is None:
            message = _("%(col)s 列的表头“%(text)s”无法识别，应为：%(valid)s") % {
                "col": letter,
                "text": text,
                "valid": "、".join(known),
            }
            problems.append(RowError(number, None, None, message))
        elif text in seen:
            problems.append(RowError(number, None, None, _("表头“%(text)s”重复") % {"text": text}))
        else:
            seen.add(text)
            mapping[i] = col
    for col in layout.columns:
        if col.required and col.header not in seen:
            message = _("缺少表头“%(text)s”，请使用下载的模板") % {"text": col.header}
            problems.append(RowError(number, None, None, message))
    return problems, mapping


class Checker:
    """Cell checks for one row; each problem becomes a RowError naming row and column."""

    def __init__(self, row: Row, errors: list[RowError], layout: Layout):
        self.row, self.errors, self.layout = row, errors, layout
        # Keys with a problem already reported (formulas by the reader): one message per cell.
        self.reported: set[str] = set(row.formulas)

    def raw(self, key: str) -> object:
        return self.row.cells.get(key, ("", None))[1]

    def text(self, key: str) -> str:
        return text_of(self.raw(key))

    def error(self, key: str, message: str) -> None:
        if key in self.row.formulas:
            return  # the formula itself was reported; its cached value says nothing
        self.reported.add(key)
        letter = self.row.cells.get(key, (None, None))[0]
        self.errors.append(RowError(self.row.number, letter, self.layout.header_of(key), message))

    def choice(self, key: str, what: str, choices: Sequence[tuple[object, object]]) -> object:
        """The stored value for a choice typed as its Chinese label; "" (and an error) if none."""
        by_label = {str(label): value for value, label in choices}
        typed = self.text(key)
        if typed in by_label:
            return by_label[typed]
        valid = "、".join(by_label)
        if not typed:
            self.error(key, _("不能为空，应为：%(valid)s") % {"valid": valid})
        else:
            self.error(
                key,
                _("“%(value)s” 不是有效的%(what)s，应为：%(valid)s")
                % {"value": typed, "what": what, "valid": valid},
            )
        return ""

    def limited_text(self, key: str, max_length: int, *, required: bool = True) -> str:
        value = self.text(key)
        if required and not value:
            self.error(key, _("不能为空"))
        elif len(value) > max_length:
            self.error(
                key,
                _("不能超过 %(max)d 个字（现有 %(n)d 个）") % {"max": max_length, "n": len(value)},
            )
        elif "\x00" in value:
            self.error(key, _("含有无法保存的控制字符"))
        return value


def take_rows(table: Table, report: Report, limit: int, too_many: str) -> list[Row] | None:
    """The table's rows, or None (and the message at the first row past the limit)."""
    if len(table.rows) > limit:
        report.refuse(too_many, table.rows[-1].number)
        return None
    return table.rows
