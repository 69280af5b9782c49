"""Reading a roster .xlsx: refuse what cannot be read, find the header, yield the data rows."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from .shape import (
    COLUMNS,
    EXAMPLE_NAME,
    HEADER_SEARCH_ROWS,
    HEADERS,
    IGNORED_HEADERS,
    MAX_BYTES,
    MAX_UNPACKED_BYTES,
    NO,
    READ_COLUMNS,
    YES,
    Column,
    FileRefused,
    Row,
    RowError,
)


def open_sheet(upload: UploadedFile):
    if upload.size is not None and upload.size > MAX_BYTES:
        raise FileRefused(_("文件超过 5 MB，请分批导入"))
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise FileRefused(_("文件超过 5 MB，请分批导入"))
    if not data:
        raise FileRefused(_("文件是空的"))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        # OLE2: an old .xls, or an .xlsx saved with a password.
        raise FileRefused(
            _("这是旧版 .xls 或加密的文件，请在 Excel 中“另存为” .xlsx 格式（不设密码）后再导入")
        )
    not_xlsx = _("文件不是有效的 .xlsx 表格（可能已损坏或不是 Excel 文件），请使用下载的模板")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise FileRefused(_("表格内容过大，请分批导入"))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
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


def data_rows(sheet, errors: list[RowError]) -> Iterator[Row]:
    """Yield the non-blank data rows under the header row, keyed by column."""
    rows = sheet.iter_rows(min_row=1, max_col=READ_COLUMNS, values_only=True)
    mapping: dict[int, Column] | None = None
    for number, values in enumerate(rows, start=1):
        texts = [text_of(v) for v in values]
        if mapping is None:
            if number > HEADER_SEARCH_ROWS:
                break
            if "姓名" in texts:
                mapping = map_header(number, texts, errors)
                if mapping is None:
                    return
                name_at = next(i for i, c in mapping.items() if c.key == "name")
            continue
        if not any(texts[i] for i in mapping):
            continue
        if texts[name_at] == EXAMPLE_NAME:
            continue
        cells = {
            col.key: (get_column_letter(i + 1), values[i] if i < len(values) else None)
            for i, col in mapping.items()
        }
        yield Row(number=number, cells=cells)
    if mapping is None:
        errors.append(
            RowError(
                None,
                None,
                None,
                _("未找到表头行（应包含“姓名”“性别”“党员类别”等列），请使用下载的模板"),
            )
        )


def map_header(number: int, texts: list[str], errors: list[RowError]) -> dict[int, Column] | None:
    mapping: dict[int, Column] = {}
    seen: set[str] = set()
    before = len(errors)
    for i, text in enumerate(texts):
        if not text or text in IGNORED_HEADERS:
            continue
        letter = get_column_letter(i + 1)
        col = HEADERS.get(text)
        if col is None:
            errors.append(
                RowError(
                    number,
                    None,
                    None,
                    _("%(col)s 列的表头“%(text)s”无法识别，应为：%(valid)s")
                    % {"col": letter, "text": text, "valid": "、".join(HEADERS)},
                )
            )
        elif text in seen:
            errors.append(RowError(number, None, None, _("表头“%(text)s”重复") % {"text": text}))
        else:
            seen.add(text)
            mapping[i] = col
    for col in COLUMNS:
        if col.required and col.header not in seen:
            errors.append(
                RowError(
                    number,
                    None,
                    None,
                    _("缺少表头“%(text)s”，请使用下载的模板") % {"text": col.header},
                )
            )
    return mapping if len(errors) == before else None
