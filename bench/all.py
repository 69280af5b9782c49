#!/usr/bin/env python
"""`make bench`: seed the city (or reuse it), measure, write bench/RESULTS.md.

Every step runs in its own process against DATABASE_URL (the Makefile's default is the
PostgreSQL database pb_city): migrate; `seed_demo` (the demo county, for the notice page) and
`seed_demo --scale city` when the city is not there yet, timed; ANALYZE; bench/pages.py (server
time of the issue's pages, in turn, in-process); then, when they exist, bench/ledger_export.py,
bench/reminders.py and bench/public_page.py (gunicorn + wrk). RESULTS.md records the date, the
commit, the database and the load average around each step: the machine is shared, so the
load says how much of a figure is waiting for a core.

    make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_city .venv/bin/python bench/all.py --runs 50

`--size` picks the data set, each in its own database: `county` (a county-sized city,
`seed_demo --branches 472`: 1/15 of the city, with the city's logins), `city` (the default,
`seed_demo --scale city`) and `province` (`seed_demo --scale province`: three cities under a
province, ~1 million pledges). Each size's figures are kept in bench/results/*-<size>.json, and
RESULTS.md has a column per size measured so far (page p95s, the ledger, the reminder runs).
When the seed is made in this run, the reminders run straight after it, before anything else
analyses the tables (issue 17 §5: the seed must leave fresh statistics itself).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PY = str(ROOT / ".venv" / "bin" / "python")
SIZES = ("county", "city", "province")
# What `seed_demo` builds for each size (after the demo county, for the notice page), the
# pledges it holds (the ledger's rows) and the seed's wall-clock target in seconds.
SEED_ARGS = {
    "county": ["--branches", "472"],
    "city": ["--scale", "city"],
    "province": ["--scale", "province"],
}
PLEDGES = {"county": 21_000, "city": 320_000, "province": 960_000}
SEED_TARGET = {"county": 60, "city": 300, "province": 900}


def seed_file(size: str) -> Path:
    return RESULTS / ("seed.json" if size == "city" else f"seed-{size}.json")


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def run(args: list[str], *, timeout: int = 3600) -> tuple[str, float, str]:
    """Output, wall seconds and the load average when it ended."""
    start = time.monotonic()
    done = subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=os.environ.copy()
    )
    seconds = time.monotonic() - start
    out = done.stdout + done.stderr
    if done.returncode != 0:
        sys.stderr.write(out)
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode})")
    return out, seconds, load()


def free_port() -> int:
    """A port nobody listens on (the machine is shared: 8765 may be someone's runserver)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def seeded_exists(size: str) -> bool:
    check = "province_root" if size == "province" else "city_root"
    out, _s, _l = run(
        [
            PY,
            "manage.py",
            "shell",
            "-c",
            f"from pledges.demo import {check}; print('SEEDED' if {check}() else 'NONE')",
        ]
    )
    return "SEEDED" in out


def root_pk(size: str) -> str:
    """The organization the size is about (the ledger is built for it)."""
    name = "PROVINCE_NAME" if size == "province" else "CITY_NAME"
    out, _s, _l = run(
        [
            PY,
            "manage.py",
            "shell",
            "-c",
            f"from pledges import demo; from pledges.models import Organization; "
            f"print(Organization.objects.get_root_nodes().get(name=demo.{name}).pk)",
        ]
    )
    return out.strip().splitlines()[-1]


def seed(size: str = "city") -> dict:
    path = seed_file(size)
    if seeded_exists(size):
        stored = json.loads(path.read_text()) if path.exists() else {}
        # Files written before the sizes said "city_seconds".
        stored.setdefault("seconds", stored.get("city_seconds"))
        stored.setdefault("cpu_seconds", stored.get("city_cpu_seconds"))
        return {**stored, "size": size, "reused": True}
    county_out, county_s, _l = run([PY, "manage.py", "seed_demo"])
    before = load()
    cpu_before = os.times()
    out, seconds, after = run([PY, "manage.py", "seed_demo", *SEED_ARGS[size]])
    cpu = os.times()
    result = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "size": size,
        "command": " ".join(["seed_demo", *SEED_ARGS[size]]),
        "county_seconds": round(county_s, 1),
        "seconds": round(seconds, 1),
        # CPU of the seeding process (the database server's own CPU is not in it).
        "cpu_seconds": round(
            (cpu.children_user - cpu_before.children_user)
            + (cpu.children_system - cpu_before.children_system),
            1,
        ),
        "load_before": before,
        "load_after": after,
        "log": [line for line in out.splitlines() if not line.startswith(("jc", "yz", "lh", "…"))][
            :60
        ],
    }
    RESULTS.mkdir(exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return {**result, "reused": False}


def optional(script: str, args: list[str], why_missing: str) -> dict:
    path = BENCH / script
    if not path.exists():
        return {"script": script, "missing": why_missing}
    before = load()
    try:
        out, seconds, after = run([PY, str(path), *args])
    except SystemExit as e:  # one bench failing still leaves the others' figures written
        return {"script": script, "missing": f"failed: {e}"}
    return {
        "script": script,
        "args": " ".join(args),
        "seconds": round(seconds, 1),
        "load_before": before,
        "load_after": after,
        "tail": "\n".join(out.strip().splitlines()[-60:]),
    }


YARDSTICK = "member page /me/"


def pages_table(rows: list[dict]) -> list[str]:
    lines = [
        "| page | target (p95) | median ms | p95 ms | max ms | × /me/ | queries | KB | |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    # The member page is small and unchanged by this work: each page's median as a multiple of
    # its median is a figure the load on the machine cancels out of.
    yardstick = next((r["median"] for r in rows if r["page"] == YARDSTICK), None)
    for r in rows:
        verdict = _verdict(r, "**missed**")
        times = f"{r['median'] / yardstick:.1f}" if yardstick else ""
        lines.append(
            f"| {r['page']} | < {r['target_ms']:.0f} ms | {r['median']:.1f} | {r['p95']:.1f} | "
            f"{r['max']:.1f} | {times} | {r['queries']} | {r['kb']:.1f} | {verdict} |"
        )
    return lines


CACHED_PAGES = ("office: /org/<city>/", "city dashboard", "office: /reviews/office/<city>/")


def ratios(rows: list[dict]) -> list[str]:
    by = {r["page"]: r for r in rows}
    lines = [
        "",
        "Interleaved variants (same rounds, so the same load) of the pages whose figures are "
        "counter rows (pledges.tallies): warm; the first request after a write somewhere in the "
        "city (a review signed in the current quarter, a pledge saved, made before each request, "
        "untimed); and with a dummy cache (cold: after a Redis restart). The counters are read "
        "the same way in all three, so the columns should agree:",
        "",
    ]
    for name in CACHED_PAGES:
        cached = by.get(name)
        if cached is None:
            continue
        for variant in (r for r in rows if r["page"].startswith(f"{name}, ")):
            what = variant["page"][len(name) + 2 :]
            lines.append(
                f"- {name}, {what}: median {variant['median']:.1f} vs {cached['median']:.1f} ms "
                f"from the cache (**{variant['median'] / cached['median']:.1f}×**); p95 "
                f"{variant['p95']:.1f} ms."
            )
    return lines


def _verdict(row: dict, missed: str) -> str:
    if row["page"].endswith(", recounted"):
        return "variant (no target)"
    return "met" if row["p95"] < row["target_ms"] else missed


def _ms(x: float) -> str:
    return f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def readme_table(seeded: dict, pages: list[dict], extras: list[dict]) -> list[str]:
    """The compact table the README's benchmark section copies (medians / p95, ms)."""
    lines = ["| what | target | median / p95 | queries | |", "| --- | --- | --- | --- | --- |"]
    if seeded.get("seconds"):
        seconds, size = seeded["seconds"], seeded.get("size", "city")
        target = SEED_TARGET[size]
        lines.append(
            f"| `{seeded.get('command', 'seed_demo --scale city')}` (load "
            f"{seeded['load_after']}) | < {target // 60} min | {seconds} s wall, "
            f"{seeded['cpu_seconds']} s CPU | | {'met' if seconds < target else 'missed'} |"
        )
    for r in pages:
        verdict = _verdict(r, "missed")
        lines.append(
            f"| {r['page']} | p95 < {r['target_ms']:.0f} ms | {_ms(r['median'])} / "
            f"{_ms(r['p95'])} ms | {r['queries']} | {verdict} |"
        )
    for extra in extras:
        if extra.get("script") == "public_page.py" and "tail" in extra:
            said = [line for line in extra["tail"].splitlines() if "requests/s" in line]
            last = said[-1] if said else "see below"
            via = "nginx's cache in front" if "--via nginx" in extra.get("args", "") else "Redis"
            lines.append(
                f"| public organization page, {via}, gunicorn 2 workers, 50 conn. | ≥ 3,000 "
                f"req/s, 0 errors | {last} | | |"
            )
    return lines


def _json(name: str):
    path = RESULTS / name
    return json.loads(path.read_text()) if path.exists() else None


def sizes_table() -> list[str]:
    """Each size measured so far (bench/results/*-<size>.json, from this run or earlier ones):
    median / p95 ms per page, the seed, the ledger and the reminder runs; the last column is
    the province's p95 over the city's (the goal: within 1.3×)."""
    pages = {size: _json(f"pages-{size}.json") or [] for size in SIZES}
    extras = {size: _json(f"extras-{size}.json") or [] for size in SIZES}
    measured = [size for size in SIZES if pages[size] or extras[size]]
    if not measured:
        return ["No size measured yet."]
    lines = [
        "| | "
        + " | ".join(measured)
        + " | province ÷ city (p95) | province ÷ city (median as × /me/) |",
        "| --- |" + " --- |" * (len(measured) + 2),
    ]
    # Each size's member page, the yardstick: runs under different loads compare through it.
    me = {
        size: next((r["median"] for r in pages[size] if r["page"] == YARDSTICK), None)
        for size in SIZES
    }
    names = list(dict.fromkeys(r["page"] for size in SIZES for r in pages[size]))
    for name in names:
        by = {size: next((r for r in pages[size] if r["page"] == name), None) for size in SIZES}
        cells = [f"{_ms(by[s]['median'])} / {_ms(by[s]['p95'])}" if by[s] else "" for s in measured]
        ratio = normal = ""
        if by["province"] and by["city"]:
            ratio = f"{by['province']['p95'] / by['city']['p95']:.2f}×"
            if me["province"] and me["city"]:
                times = by["province"]["median"] / me["province"]
                normal = f"{times / (by['city']['median'] / me['city']):.2f}×"
        lines.append(f"| {name} (ms) | " + " | ".join(cells) + f" | {ratio} | {normal} |")
    seeds = {size: _json(seed_file(size).name) for size in SIZES}
    cells = []
    for size in measured:
        got = seeds[size] or {}
        seconds = got.get("seconds", got.get("city_seconds"))
        cells.append(f"{seconds} s (load {got.get('load_after', '?')})" if seconds else "")
    lines.append("| seed, wall | " + " | ".join(cells) + " | | |")
    for script, what in (
        ("ledger_export.py", "ledger export"),
        ("reminders.py", "reminder runs (the bench script, all rules)"),
        ("reminders.py (fresh seed)", "reminders straight after a fresh seed"),
    ):
        cells = []
        for size in measured:
            got = next((e for e in extras[size] if e.get("label", e["script"]) == script), None)
            if got is None or "seconds" not in got:
                cells.append("")
                continue
            cell = f"{got['seconds']} s (load {got['load_after']})"
            if script == "ledger_export.py":
                cell += f", {got['seconds'] * 1000 / PLEDGES[size]:.2f} ms a row"
            cells.append(cell)
        lines.append(f"| {what} | " + " | ".join(cells) + " | | |")
    return lines


def write(meta: dict, seeded: dict, pages: list[dict], extras: list[dict]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/all.py) on {meta['when']}, commit `{meta['commit']}`"
        f"{' (with uncommitted changes)' if meta['dirty'] else ''}.",
        f"Database: {meta['database']}; {os.cpu_count()} cores shared with other work; load "
        f"average (1 / 5 / 15 min) at the start {meta['load_start']}, at the end "
        f"{meta['load_end']}. A load well above the core count means most of a wall-clock "
        "figure is waiting for a core: compare ratios within one run rather than figures "
        "across runs.",
        "",
        "## Summary (the README's table)",
        "",
        *readme_table(seeded, pages, extras),
        "",
        "## Sizes (county, city, province)",
        "",
        *sizes_table(),
        "",
        f"## Seed (`{seeded.get('command', 'seed_demo --scale city')}`)",
        "",
    ]
    if seeded.get("seconds"):
        target = SEED_TARGET[seeded.get("size", "city")]
        lines.append(
            f"{'Reused the data seeded' if seeded['reused'] else 'Seeded'} on {seeded['when']}: "
            f"{seeded['seconds']} s wall, {seeded['cpu_seconds']} s CPU in the seeding process "
            f"(target < {target // 60} min); demo county {seeded['county_seconds']} s; load "
            f"{seeded['load_before']} before, {seeded['load_after']} after."
        )
    else:
        lines.append("Reused existing data (its seed time was not recorded by this script).")
    lines += [
        "",
        f"## Pages, server time in-process ({pages[0]['runs']} requests each, in turn)",
        "",
        *pages_table(pages),
        *ratios(pages),
        "",
    ]
    for extra in extras:
        lines += [f"## `bench/{extra.get('label', extra['script'])}`", ""]
        if "missing" in extra:
            lines += [f"Not measured: {extra['missing']}", ""]
            continue
        lines += [
            f"`{extra['script']} {extra['args']}`: {extra['seconds']} s wall, load "
            f"{extra['load_before']} before, {extra['load_after']} after.",
            "",
            "```",
            extra["tail"],
            "```",
            "",
        ]
    text = "\n".join(lines)
    (BENCH / "RESULTS.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="city", help="the data set")
    parser.add_argument("--runs", type=int, default=60, help="requests per page (≥ 50)")
    parser.add_argument("--seconds", type=int, default=15, help="each gunicorn run's length")
    parser.add_argument("--skip-extras", action="store_true", help="pages only")
    args = parser.parse_args()
    database = os.environ.get("DATABASE_URL", "sqlite (./db.sqlite3)").split("@")[-1]
    meta = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "--short", "HEAD"),
        # The results file itself does not make the measured code dirty.
        "dirty": bool(
            git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/RESULTS.md")
        ),
        "database": f"{database} ({args.size})",
        "load_start": load(),
    }
    print(f"bench: {meta['database']} at {meta['commit']}, load {meta['load_start']}")
    run([PY, "manage.py", "migrate", "--noinput", "-v0"])
    seeded = seed(args.size)
    print(f"seed: {'reused' if seeded['reused'] else 'seeded'}")
    extras = []
    if not seeded["reused"] and not args.skip_extras:
        # Straight after the seed, before this script analyses anything (issue 17 §5).
        fresh = optional("reminders.py", ["--fresh"], "no bench/reminders.py")
        extras.append({**fresh, "label": "reminders.py (fresh seed)"})
    # Fresh planner statistics: the seed analyses, but reused data may have changed since.
    analyze = "from django.db import connection; connection.cursor().execute('ANALYZE')"
    run([PY, "manage.py", "shell", "-c", analyze])
    out, _s, _l = run([PY, str(BENCH / "pages.py"), "--runs", str(args.runs), "--size", args.size])
    print(out)
    pages = json.loads((RESULTS / "pages.json").read_text())
    if not args.skip_extras:
        rows = PLEDGES[args.size]
        extras += [
            # The real ledger of the size's root (its rows from the database), one round:
            # seconds per row across the sizes says whether it stays linear.
            optional(
                "ledger_export.py",
                ["--db", "--rounds", "1", "--org", root_pk(args.size), "--rows", str(rows)],
                "no bench/ledger_export.py",
            ),
            optional("ledger_roundtrip.py", [], "no bench/ledger_roundtrip.py"),
            # A first run must find nothing stored: --fresh deletes the reminders of the
            # periods it runs (on the bench database only).
            optional("reminders.py", ["--fresh"], "no bench/reminders.py"),
            optional(
                "public_page.py",
                ["--seconds", str(args.seconds), "--port", str(free_port())],
                "no bench/public_page.py",
            ),
            # As deployed: nginx's cache in front (deploy/nginx-pledgebook.conf), direct beside it.
            optional(
                "public_page.py",
                ["--via", "nginx", "--seconds", str(args.seconds), "--port", str(free_port())],
                "no bench/public_page.py",
            ),
        ]
        (RESULTS / f"extras-{args.size}.json").write_text(
            json.dumps(extras, ensure_ascii=False, indent=1)
        )
    meta["load_end"] = load()
    print(write(meta, seeded, pages, extras))


if __name__ == "__main__":
    main()
