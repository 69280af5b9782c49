#!/usr/bin/env python
"""Building a branch's filing package (备案材料: the zip of one PDF and four Excel ledgers), as
the background export does it (reviews.ledgers.filing.write_package, the rows read as the
branch's secretary sees them). Target (issue 15): < 5 s for a branch.

The branch with the most members under each demo root (the county, and the city when it is
seeded) is timed for the latest half-year; each run writes the whole package to a temp file.
Prints the median and max wall time, the queries of one run and the package's size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_filing SECRET_KEY=x \\
        .venv/bin/python bench/filing_package.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from pledges.demo import CITY_NAME, COUNTY_NAME  # noqa: E402
from pledges.models import Organization, Position  # noqa: E402
from reviews.ledgers.filing import write_package  # noqa: E402
from reviews.models import Filing  # noqa: E402
from reviews.rules.filing import latest_period  # noqa: E402


def largest_branch(root_name: str) -> tuple[Organization, object] | None:
    root = Organization.objects.get_root_nodes().filter(name=root_name).first()
    if root is None:
        return None
    branches = (
        Organization.objects.filter(path__startswith=root.path, level=Organization.Level.BRANCH)
        .annotate(n=Count("members"))
        .order_by("-n", "path")
    )
    for branch in branches[:20]:
        position = Position.objects.filter(
            organization=branch, kind=Position.Kind.SECRETARY
        ).first()
        if position is not None:
            return branch, position.user
    return None


def time_branch(branch: Organization, secretary, runs: int) -> dict:
    period = latest_period()
    # An unsaved filing: the package reads only its organization, period and filer.
    filing = Filing(
        organization=branch,
        year=period.year,
        half=period.half,
        status=Filing.Status.FILED,
        filed_by=secretary,
        filed_at=timezone.now(),
        rounds=1,
    )
    seconds, size, queries = [], 0, 0
    for run in range(runs):
        with tempfile.TemporaryFile() as out, CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            write_package(out, filing=filing, user=secretary)
            seconds.append(time.perf_counter() - started)
            size = out.tell()
        if run == 0:
            queries = len(captured.captured_queries)
    return {
        "branch": branch.name,
        "members": branch.members.count(),
        "median_s": round(statistics.median(seconds), 2),
        "max_s": round(max(seconds), 2),
        "queries": queries,
        "kb": size // 1024,
    }


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = []
    for name in (COUNTY_NAME, CITY_NAME):
        found = largest_branch(name)
        if found is None:
            print(f"{name}: not seeded")
            continue
        result = {"root": name, **time_branch(*found, args.runs)}
        print(
            f"{name} / {result['branch']} ({result['members']} members): median "
            f"{result['median_s']} s, max {result['max_s']} s, {result['queries']} queries, "
            f"{result['kb']} KB (target < 5 s)"
        )
        results.append(result)
    return results


if __name__ == "__main__":
    main()
