"""Reading a roster .xlsx: the shared reader (core.xlsx_import) with the roster's limits and
layout."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from core.xlsx_import import Table, open_workbook, read_table, text_of

from .shape import ANCHOR, EXAMPLE_NAME, LAYOUT, MAX_BYTES, MAX_UNPACKED_BYTES, ImportResult, Row


def open_sheet(upload: UploadedFile):
    # The limits are read here, at call time, so a test may lower them.
    return open_workbook(upload, max_bytes=MAX_BYTES, max_unpacked_bytes=MAX_UNPACKED_BYTES)


def read_roster(sheet, result: ImportResult, limit: int) -> Table | None:
    return read_table(
        sheet,
        layouts=[LAYOUT],
        anchor=ANCHOR,
        report=result,
        limit=limit,
        make_row=Row,
        skip=lambda row: text_of(row.cells["name"][1]) == EXAMPLE_NAME,
    )
