#!/usr/bin/env python
"""Which library writes the office ledger (台账): the same 100,000-row ledger-like sheet by

- `bare`: openpyxl's write-only mode, plain values, no styles (the reference);
- `openpyxl`: openpyxl's write-only mode through its public API only, every body cell styled
  (border, wrap, date format, late rows in red) by a registered named style;
- `xlsxwriter`: XlsxWriter's `constant_memory` mode, the same styles as formats;
- `ledger`: `core.xlsx.write_ledger` as the project has it (title, header, print setup, body).

The target (issue 14 §4): a styled writer within 1.25 times the bare write-only time. Each
measurement runs in a fresh subprocess reporting its wall and CPU time and its own peak RSS;
the variants interleave round by round, so load from other work on the machine falls on all
alike. Medians and the ratios to `bare` are printed.

    .venv/bin/python bench/xlsx_writers.py [--rows 100000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from ledger_export import COLUMNS, STATUS_COLUMN, cpu_seconds, synthetic_rows  # noqa: E402

VARIANTS = ("bare", "openpyxl", "xlsxwriter", "ledger")
LATE = "已逾期（践诺中）"


def write_bare(rows: list[tuple], path: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("承诺践诺台账")
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def write_openpyxl(rows: list[tuple], path: str) -> None:
    """Public API only: one named style per body look, set on a fresh cell per value."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("承诺践诺台账")
    thin = Side(style="thin", color="000000")
    base = {
        "alignment": Alignment(vertical="top", wrap_text=True),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
    }
    red = Font(color="C00000", bold=True)
    for name, extra in (
        ("plain", {}),
        ("dated", {"number_format": "yyyy-mm-dd"}),
        ("late", {"font": red}),
    ):
        workbook.add_named_style(NamedStyle(name=name, **base, **extra))
    for row in rows:
        late = row[STATUS_COLUMN] == LATE
        cells = []
        for column, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.date):
                cell.style = "dated"
            elif late and column == STATUS_COLUMN:
                cell.style = "late"
            else:
                cell.style = "plain"
            if cell.data_type == "f":
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)


def write_xlsxwriter(rows: list[tuple], path: str) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        path,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = workbook.add_worksheet("承诺践诺台账")
    base = {"valign": "top", "text_wrap": True, "border": 1}
    plain = workbook.add_format(base)
    dated = workbook.add_format({**base, "num_format": "yyyy-mm-dd"})
    late = workbook.add_format({**base, "font_color": "#C00000", "bold": True})
    for r, row in enumerate(rows):
        is_late = row[STATUS_COLUMN] == LATE
        for c, value in enumerate(row):
            kind = type(value)
            if kind is str:
                sheet.write_string(r, c, value, late if is_late and c == STATUS_COLUMN else plain)
            elif kind is int or kind is float:
                sheet.write_number(r, c, value, plain)
            elif kind is datetime.date:
                sheet.write_datetime(r, c, value, dated)
            else:
                sheet.write_blank(r, c, None, plain)
    workbook.close()


def write_ledger(rows: list[tuple], path: str) -> None:
    from core.xlsx import write_ledger as ours

    with open(path, "wb") as out:
        ours(
            out,
            sheet_name="承诺践诺台账",
            title="示范市 2026年度承诺践诺台账",
            columns=COLUMNS,
            rows=rows,
            to_cells=lambda n, row: row,
            empty="没有可导出的承诺",
            late_column=STATUS_COLUMN,
            is_late=lambda row: row[STATUS_COLUMN] == LATE,
        )


WRITERS = {
    "bare": write_bare,
    "openpyxl": write_openpyxl,
    "xlsxwriter": write_xlsxwriter,
    "ledger": write_ledger,
}


def child(which: str, count: int) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()  # in every variant, so that all start from the same baseline
    rows = synthetic_rows(count)
    rows_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ledger.xlsx")
        start, cpu_start = time.perf_counter(), cpu_seconds()
        WRITERS[which](rows, path)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        size = os.path.getsize(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"which": which, "seconds": seconds, "cpu": cpu, "peak_mb": peak}
    print(json.dumps({**result, "rows_mb": rows_mb, "size_mb": size / 1e6}))


def measure(which: str, count: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", which, "--rows", str(count)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=VARIANTS)
    parser.add_argument("--only", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    args = parser.parse_args()
    if args.child:
        child(args.child, args.rows)
        return
    variants = ["bare", *(v for v in args.only if v != "bare")]
    runs: dict[str, list[dict]] = {v: [] for v in variants}
    for n in range(1, args.rounds + 1):
        line = []
        for which in variants:
            run = measure(which, args.rows)
            runs[which].append(run)
            line.append(f"{which} {run['seconds']:.1f} s / {run['cpu']:.1f} s CPU")
        print(f"round {n}: " + ", ".join(line), flush=True)
    print(f"{args.rows} rows, {args.rounds} rounds (medians; ratio = variant / bare, per round):")
    for which in variants:
        wall = [r["seconds"] / b["seconds"] for r, b in zip(runs[which], runs["bare"], strict=True)]
        cpu = [r["cpu"] / b["cpu"] for r, b in zip(runs[which], runs["bare"], strict=True)]
        first = runs[which][0]
        print(
            f"  {which:10} {statistics.median(r['seconds'] for r in runs[which]):6.1f} s wall "
            f"{statistics.median(r['cpu'] for r in runs[which]):6.1f} s CPU  "
            f"ratio wall {statistics.median(wall):.2f} CPU {statistics.median(cpu):.2f}  "
            f"peak RSS {statistics.median(r['peak_mb'] for r in runs[which]):.0f} MB "
            f"(rows and Django alone {first['rows_mb']:.0f} MB), file {first['size_mb']:.1f} MB"
        )


if __name__ == "__main__":
    main()
