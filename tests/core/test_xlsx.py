import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from core.xlsx import FORMULA_PREFIXES, fit_width, text_width, write_ledger

COLUMNS = (("序号", 6), ("事项", 30), ("时限", 12), ("状态", None))


def ledger(rows, **kwargs):
    out = io.BytesIO()
    options = {
        "sheet_name": "台账",
        "title": "东街社区党支部 2026年度承诺践诺台账",
        "columns": COLUMNS,
        "rows": rows,
        "to_cells": lambda n, row: [n, *row],
        "empty": "没有可导出的承诺",
        **kwargs,
    }
    count = write_ledger(out, **options)
    out.seek(0)
    return count, load_workbook(out).worksheets[0]


def body(sheet):
    return [list(r) for r in sheet.iter_rows(min_row=3)]


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_it_writes_text_starting_like_a_formula_as_text(prefix):
    typed = f'{prefix}HYPERLINK("http://evil.example","点我")'
    _count, sheet = ledger([(typed, datetime.date(2026, 3, 1), prefix + "1+1")])
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c for c in cells if c.data_type == "f"]
    row = body(sheet)[0]
    assert row[1].value in (typed, typed.replace("\r", "\n"))
    assert row[1].data_type == "s"
    assert row[3].data_type == "s"


def test_it_keeps_title_and_header_text_too():
    _count, sheet = ledger([], title="=1+1", columns=(("=SUM(A1)", 10),))
    assert sheet["A1"].value == "=1+1" and sheet["A1"].data_type == "s"
    assert sheet["A2"].value == "=SUM(A1)" and sheet["A2"].data_type == "s"


def test_it_writes_error_codes_as_text():
    _count, sheet = ledger([("#REF!", None, "#N/A")])
    row = body(sheet)[0]
    assert (row[1].value, row[1].data_type) == ("#REF!", "s")


def test_it_writes_title_header_and_rows_with_their_styles():
    count, sheet = ledger(
        [("修缮活动室", datetime.date(2026, 6, 30), "践诺中"), ("清理楼道", None, "已销号")]
    )
    assert count == 2
    assert sheet["A1"].value == "东街社区党支部 2026年度承诺践诺台账"
    assert sheet["A1"].font.sz == 16 and sheet["A1"].font.b
    assert [c.value for c in sheet[2]] == ["序号", "事项", "时限", "状态"]
    assert all(c.font.b and c.border.left.style == "thin" for c in sheet[2])
    first, second = body(sheet)
    assert [c.value for c in first[:2]] == [1, "修缮活动室"]
    assert first[2].value == datetime.datetime(2026, 6, 30)
    assert first[2].number_format == "yyyy-mm-dd"
    for cell in first + second:
        assert cell.border.left.style == cell.border.bottom.style == "thin"
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
        assert not cell.font.b
    assert second[2].value is None  # an empty cell keeps its border (checked above)
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape"


def test_it_marks_late_rows_in_red_in_the_late_column_only():
    day = datetime.date(2026, 1, 1)
    rows = [("按时", day, "践诺中"), ("逾期", day, "逾期")]
    _count, sheet = ledger(rows, late_column=3, is_late=lambda row: row[0] == "逾期")
    on_time, late = body(sheet)
    assert late[3].font.b and late[3].font.color.rgb.endswith("C00000")
    assert late[3].border.left.style == "thin"
    assert not late[1].font.b and not on_time[3].font.b
    assert late[2].number_format == "yyyy-mm-dd"


def test_it_says_so_when_there_are_no_rows():
    count, sheet = ledger([])
    assert count == 0
    assert sheet["A3"].value == "没有可导出的承诺"


def test_it_drops_control_characters_instead_of_failing():
    _count, sheet = ledger([("有\x00空\x07字节", None, "a\x1bb")])
    row = body(sheet)[0]
    assert row[1].value == "有空字节"
    assert row[3].value == "ab"


def test_it_writes_other_values_excel_can_hold():
    aware = timezone.make_aware(datetime.datetime(2026, 5, 1, 9, 30))
    rows = [(gettext_lazy("已销号"), aware, Decimal("12.5")), (True, None, 2**70)]
    _count, sheet = ledger(rows)
    first, second = body(sheet)
    assert first[1].value == "已销号"
    assert first[2].value == datetime.datetime(2026, 5, 1, 9, 30)  # local time, no zone
    assert first[3].value == 12.5
    assert second[1].value is True


def test_it_cuts_text_at_excels_limit():
    _count, sheet = ledger([("长" * 40000, None, "")])
    assert len(body(sheet)[0][1].value) == 32767


def test_it_adds_a_totals_row_in_bold():
    rows = [("甲", None, "1"), ("乙", None, "2")]
    _count, sheet = ledger(rows, totals=lambda count: ["合计", f"{count} 项", None, "=3"])
    last = list(sheet.iter_rows(min_row=5))[0]
    assert [c.value for c in last] == ["合计", "2 项", None, "=3"]
    assert last[0].font.b and last[0].border.top.style == "thin"
    assert last[3].data_type == "s"


def test_it_reports_progress():
    seen = []
    ledger([("甲", None, "")] * 5, progress=seen.append, progress_every=2)
    assert seen == [2, 4, 5]


def test_it_fits_widths_to_chinese_text():
    assert text_width("承诺事项") == 8
    assert text_width("ab承诺") == 6
    assert fit_width("承诺事项") == 10
    assert fit_width("短", minimum=6) == 6
    assert fit_width("很" * 100, maximum=60) == 60
    assert fit_width("第一行\n第二行很长很长") == 16
    _count, sheet = ledger([])
    # Stored as Excel stores a width it shows as 30 characters (30 + 5 pixels of padding).
    assert 30 < sheet.column_dimensions["B"].width < 31
    assert 6 < sheet.column_dimensions["D"].width < 7  # "状态" fitted: 4 + 2, at least 6


def test_it_uses_no_private_openpyxl_api():
    # A private module or attribute breaks on any openpyxl upgrade (issue 14 §4).
    root = Path(__file__).resolve().parents[2]
    private = re.compile(r"openpyxl(\.\w+)*\._\w|\._add_sheet\b|\._value\b|\._style\b")
    users = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if not {"tests", ".venv"} & set(path.relative_to(root).parts)
        and private.search(path.read_text(encoding="utf-8"))
    ]
    assert users == []
