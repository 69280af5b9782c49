"""The shared .xlsx reader: layouts, header search, formula cells, limits, the report."""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.xlsx_import import (
    Checker,
    Column,
    Layout,
    Report,
    RowError,
    open_workbook,
    read_table,
    text_of,
)

A = Layout("a", (Column("name", "姓名", True, 10), Column("age", "年龄", False, 6)))
B = Layout(
    "b", (Column("name", "姓名", True, 10), Column("city", "城市", True, 6)), frozenset({"序号"})
)


def sheet_of(*rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    upload = SimpleUploadedFile("t.xlsx", out.getvalue())
    return open_workbook(upload, max_bytes=10**6, max_unpacked_bytes=10**7)[1]


def read(sheet, report, limit=10):
    return read_table(sheet, layouts=[A, B], anchor="姓名", report=report, limit=limit)


def test_it_picks_the_layout_the_header_row_holds_under_a_title():
    report = Report()
    table = read(sheet_of(["名单"], ["序号", "姓名", "城市"], [1, "王五", "杭州"]), report)
    assert report.ok, report.errors
    assert (table.layout, table.title) == (B, "名单")
    assert table.rows[0].number == 3
    assert table.rows[0].cells == {"name": ("B", "王五"), "city": ("C", "杭州")}


def test_it_reports_the_closest_layouts_header_problems():
    report = Report()
    assert read(sheet_of(["姓名", "年纪"]), report) is None
    assert [str(e) for e in report.errors] == [
        "第 1 行：B 列的表头“年纪”无法识别，应为：姓名、年龄"
    ]


def test_it_says_when_no_header_is_found():
    report = Report()
    assert read(sheet_of(["名字"], ["王五"]), report) is None
    assert "未找到表头行（应包含“姓名”“年龄”等列）" in str(report.errors[0])


def test_it_reports_a_formula_cell_once_and_keeps_checks_quiet_about_it():
    report = Report()
    table = read(sheet_of(["姓名", "年龄"], ["王五", "=1+1"]), report)
    row = table.rows[0]
    assert row.formulas == {"age"}
    Checker(row, report.errors, table.layout).error("age", "不是数字")
    assert [str(e) for e in report.errors] == [
        "第 2 行 B 列（年龄）：不能使用公式，请直接填写内容（可复制后“选择性粘贴 → 值”）"
    ]


def test_it_reads_one_row_past_the_limit_and_no_more():
    report = Report()
    table = read(sheet_of(["姓名"], *[[f"人{i}"] for i in range(50)]), report, limit=5)
    assert len(table.rows) == 6


def test_it_turns_cells_into_text():
    assert text_of(None) == ""
    assert text_of(True) == "是"
    assert text_of(3.0) == "3"
    assert text_of(datetime.date(2026, 1, 2)) == "2026-01-02"
    assert text_of("  王五 ") == "王五"


def test_it_shows_at_most_200_errors():
    report = Report(errors=[RowError(i, None, None, "x") for i in range(1, 251)])
    assert (len(report.shown_errors), report.hidden_error_count) == (200, 50)
