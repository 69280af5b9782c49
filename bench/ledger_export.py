#!/usr/bin/env python
"""The 320,000-row 承诺践诺台账 written by `core.xlsx.write_ledger` against openpyxl's bare
write-only mode writing the same rows from a Python list (the target in issue 8: at most
1.25 times the bare time, peak memory of the exporting process under 150 MB).

No database: the rows are synthetic ledger rows (12 columns: numbers, Chinese text, dates,
empty cells, one text in a hundred starting with = or -) built in memory. Each measurement
runs in a fresh subprocess, which reports its write time and its own peak RSS
(resource.getrusage ru_maxrss); the rounds interleave bare and ours so that load from other
work on the machine falls on both alike. Each reports wall time and CPU time (user + system):
on a machine shared with other work the wall time mostly measures the others, the CPU time the
work done. Medians and the ratios are printed.

    .venv/bin/python bench/ledger_export.py [--rows 320000] [--rounds 3]

With --db, the real ledger instead: `pledges.ledgers.pledge.build` (the export's builder, reading
the rows from the database given by DATABASE_URL, seeded with `seed_demo --scale city`) against the
bare write-only workbook written from a Python list of the same rows, read by the same query
before its clock starts (so "ours" also pays for the query, "bare" does not):

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_city \\
        .venv/bin/python bench/ledger_export.py --db [--org ID] [--period 2026] [--rounds 3]
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
COLUMNS = (
    ("序号", 6),
    ("党组织", 22),
    ("党员", 10),
    ("承诺类别", 10),
    ("承诺事项", 30),
    ("践诺措施", 34),
    ("预期效果", 30),
    ("完成时限", 12),
    ("最新进展", 36),
    ("状态", 14),
    ("销号日期", 12),
    ("兑现情况", 30),
)
STATUS_COLUMN = 9


def synthetic_rows(count: int) -> list[tuple]:
    """Ledger rows like the city's; texts come from small pools (as names and kinds do in the
    real data), so the list itself stays a few tens of MB."""
    orgs = [f"第{i}社区党支部" for i in range(700)]
    members = [f"党员{i:04d}" for i in range(2000)]
    kinds = ["服务承诺", "实事承诺", "改正缺点"]
    titles = [f"为辖区{i}户困难群众办实事，每月走访一次并记录" for i in range(500)]
    titles += ['=HYPERLINK("http://example.cn","点我")', "-改掉开会迟到的毛病"]
    measures = [f"措施{i}：联系社区网格员，建立台账，逐户登记，按月回访落实" for i in range(300)]
    effects = [f"群众满意率达到{90 + i % 10}%以上" for i in range(50)]
    progress = [f"2026-0{1 + i % 9}-1{i % 10} 第{i}次走访，送去米面油" for i in range(400)]
    statuses = ["践诺中", "已销号", "已逾期（践诺中）", "已公开"]
    results = ["", "楼道畅通，居民满意", "已办结，群众认可"]
    start = datetime.date(2026, 1, 1)
    dates = [start + datetime.timedelta(days=d) for d in range(365)]
    rows = []
    for i in range(count):
        closed = dates[(i * 7) % 365] if i % 3 == 1 else None
        rows.append(
            (
                i + 1,
                orgs[i % len(orgs)],
                members[i % len(members)] if i % 10 else None,
                kinds[i % 3],
                titles[i % len(titles)],
                measures[i % len(measures)],
                effects[i % len(effects)],
                dates[(i * 13) % 365],
                progress[i % len(progress)],
                statuses[i % len(statuses)],
                closed,
                results[i % 3],
            )
        )
    return rows


def write_bare(rows: list[tuple], path: str) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("承诺践诺台账")
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def write_ours(rows: list[tuple], path: str) -> None:
    from core.xlsx import write_ledger

    with open(path, "wb") as out:
        write_ledger(
            out,
            sheet_name="承诺践诺台账",
            title="示范市 2026年度承诺践诺台账",
            columns=COLUMNS,
            rows=rows,
            to_cells=lambda n, row: row,
            empty="没有可导出的承诺",
            late_column=STATUS_COLUMN,
            is_late=lambda row: row[STATUS_COLUMN] == "已逾期（践诺中）",
        )


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(which: str, count: int) -> None:
    """One measurement in this (fresh) process; prints a JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()  # in both, so that both processes start from the same baseline
    rows = synthetic_rows(count)
    rss_rows = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ledger.xlsx")
        start, cpu_start = time.perf_counter(), cpu_seconds()
        (write_bare if which == "bare" else write_ours)(rows, path)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        size = os.path.getsize(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "which": which,
                "seconds": seconds,
                "cpu": cpu,
                "peak_mb": peak,
                "rows_mb": rss_rows,
                "size_mb": size / 1e6,
            }
        )
    )


def db_child(which: str, org_id: int | None, period: str) -> None:
    """One measurement of the real ledger from the database; prints a JSON line."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from pledges.ledgers import pledge as ledger
    from pledges.models import Organization

    user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:  # the office of the root sees what the ledger is about: the filed pledges
        sys.exit("no superuser in this database: create one (manage.py createsuperuser)")
    org = (
        Organization.objects.get(pk=org_id)
        if org_id
        else Organization.objects.get_first_root_node()
    )
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "ledger.xlsx")
        if which == "db-bare":
            labels = ledger._Labels(timezone.localdate())
            year = ledger.Period.parse(period).year
            rows = [
                ledger.ledger_row(n, row, labels)
                for n, row in enumerate(ledger.ledger_rows(user, org, year).iterator(2000), 1)
            ]
            count = len(rows)
        start, cpu_start = time.perf_counter(), cpu_seconds()
        if which == "db-bare":
            write_bare(rows, path)
        else:
            job = SimpleNamespace(params={"org": org.pk, "period": period}, requester=user)
            with open(path, "wb") as out:
                count = ledger.build(job, out, lambda done, total=None: None)
        seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
        size = os.path.getsize(path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "which": which,
                "seconds": seconds,
                "cpu": cpu,
                "peak_mb": peak,
                "rows_mb": 0,
                "rows": count,
                "size_mb": size / 1e6,
            }
        )
    )


def measure(which: str, count: int, extra: tuple[str, ...] = ()) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", which, "--rows", str(count), *extra],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=320_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["bare", "ours", "db-bare", "db-ours"])
    parser.add_argument("--db", action="store_true", help="the real ledger from DATABASE_URL")
    parser.add_argument("--org", type=int, help="with --db: the organization (default: root)")
    parser.add_argument("--period", default="2026", help="with --db: the year")
    args = parser.parse_args()
    if args.child in ("db-bare", "db-ours"):
        db_child(args.child, args.org, args.period)
        return
    if args.child:
        child(args.child, args.rows)
        return
    extra = ("--period", args.period, *(("--org", str(args.org)) if args.org else ()))
    names = ("db-bare", "db-ours") if args.db else ("bare", "ours")
    results: dict[str, list[dict]] = {"bare": [], "ours": []}
    wall, cpu = [], []
    for n in range(1, args.rounds + 1):
        bare, ours = measure(names[0], args.rows, extra), measure(names[1], args.rows, extra)
        results["bare"].append(bare)
        results["ours"].append(ours)
        wall.append(ours["seconds"] / bare["seconds"])
        cpu.append(ours["cpu"] / bare["cpu"])
        print(
            f"round {n}: bare {bare['seconds']:.1f} s wall / {bare['cpu']:.1f} s CPU "
            f"({bare['peak_mb']:.0f} MB), ours {ours['seconds']:.1f} s / {ours['cpu']:.1f} s "
            f"({ours['peak_mb']:.0f} MB); ratio wall {wall[-1]:.2f}, CPU {cpu[-1]:.2f}",
            flush=True,
        )
    for which, runs in results.items():
        print(
            f"{which}: median {statistics.median(r['seconds'] for r in runs):.1f} s wall, "
            f"{statistics.median(r['cpu'] for r in runs):.1f} s CPU; peak RSS median "
            f"{statistics.median(r['peak_mb'] for r in runs):.0f} MB (the row list and Django "
            f"alone: {runs[0]['rows_mb']:.0f} MB); file {runs[0]['size_mb']:.1f} MB"
        )
    for name, ratios in (("wall", wall), ("CPU", cpu)):
        print(
            f"ratio ours / bare, {name} time: median {statistics.median(ratios):.2f} "
            f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}); target <= 1.25"
        )


if __name__ == "__main__":
    main()
