#!/usr/bin/env python
"""Server time of the whole-city 全覆盖 dashboard (reviews:dashboard at the root).

Runs against whatever database DATABASE_URL names, already seeded with
`manage.py seed_demo --scale city`. Requests go through Django's test Client as the office of
the root organization, so URL routing, the session, the selectors and the template are all in
the figure (no network, no browser). Prints median / p95 / max in milliseconds and the number
of queries of one request, also at a county and a town to show the count does not move.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_eval .venv/bin/python bench/dashboard.py
    .venv/bin/python bench/dashboard.py --runs 50 --quarter 2026Q3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from pledges.models import Member, Organization, Position  # noqa: E402
from reviews.models import Quarter  # noqa: E402

TARGET_MS = 300.0


def covering_index() -> str | None:
    """The name of an index on pledges led by (year, owner_org, owner_member), if any: with
    it the database counts pledged members from the index alone (about twice as fast)."""
    try:
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "pledges_pledge")
    except Exception:  # SQLite's introspection trips over some table definitions
        return None
    for name, info in constraints.items():
        if info.get("index") and info["columns"][:3] == ["year", "owner_org_id", "owner_member_id"]:
            return name
    return None


def pick_root(name: str | None) -> Organization:
    roots = Organization.objects.get_root_nodes()
    if name:
        return roots.get(name=name)
    # The biggest tree: the city when it is there.
    return max(roots, key=lambda r: Organization.objects.filter(path__startswith=r.path).count())


def first_child(org: Organization) -> Organization | None:
    return (
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)
        .order_by("path")
        .first()
    )


def office_for(org: Organization):
    paths = [org.path[: i * org.steplen] for i in range(org.depth, 0, -1)]
    position = (
        Position.objects.filter(organization__path__in=paths, kind=Position.Kind.OFFICE)
        .select_related("user", "organization")
        .order_by("-organization__depth")
        .first()
    )
    if position is None:
        sys.exit(f"no office login at or above {org.name}: seed the city first")
    return position.user


def measure(org: Organization, quarter: Quarter, runs: int) -> dict:
    client = Client()
    client.force_login(office_for(org))
    url = f"{reverse('reviews:dashboard', args=[org.pk])}?quarter={quarter.code}"
    for _ in range(3):  # warm the connection, the caches and the template loader
        assert client.get(url).status_code == 200
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    samples.sort()
    return {
        "org": org.name,
        "orgs": Organization.objects.filter(path__startswith=org.path).count(),
        "members": Member.objects.filter(organization__path__startswith=org.path).count(),
        "median": statistics.median(samples),
        "p95": samples[max(0, int(len(samples) * 0.95) - 1)],
        "max": samples[-1],
        "queries": len(ctx),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--quarter", help="e.g. 2026Q4 (default: the current quarter)")
    parser.add_argument("--root", help="name of the root organization (default: the biggest)")
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="skip ANALYZE (run by default: a bulk seed leaves the planner without statistics "
        "until autovacuum comes by)",
    )
    args = parser.parse_args()
    if not args.no_analyze and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    quarter = Quarter.parse(args.quarter)
    root = pick_root(args.root)
    # One organization per level down the first branch of the tree, for comparison.
    county = (
        Organization.objects.filter(path__startswith=root.path, depth=2).order_by("path").first()
    )
    town = (
        Organization.objects.filter(path__startswith=county.path, depth=3).order_by("path").first()
        if county
        else None
    )
    print(
        f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')} · "
        f"quarter {quarter.code} · {args.runs} runs · DEBUG={settings.DEBUG} · "
        f"pledge coverage index: {covering_index() or 'absent'}"
    )
    heads = ("orgs", "members", "median", "p95", "max", "queries")
    print(f"{'organization':<24} " + " ".join(f"{h:>8}" for h in heads))
    results = []
    for org in [o for o in (root, county, town) if o is not None]:
        r = measure(org, quarter, args.runs)
        results.append(r)
        print(
            f"{r['org'][:22]:<24} {r['orgs']:>8} {r['members']:>8} {r['median']:>6.1f}ms "
            f"{r['p95']:>6.1f}ms {r['max']:>6.1f}ms {r['queries']:>8}"
        )
    whole = results[0]
    verdict = "OK" if whole["median"] < TARGET_MS else "OVER"
    print(
        f"whole-city dashboard: median {whole['median']:.1f} ms, p95 {whole['p95']:.1f} ms, "
        f"{whole['queries']} queries (target < {TARGET_MS:.0f} ms): {verdict}"
    )


if __name__ == "__main__":
    main()
