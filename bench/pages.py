#!/usr/bin/env python
"""Server time of the pages issue 9 §3 names, on the seeded city, in-process.

Each request goes through Django's test Client (URL routing, middleware, session, selectors,
template; no network), as the person who would open the page. The pages are requested in turn,
round after round, so that load from other work on the machine falls on all of them alike;
variants of one page (warm, as the first request after a write somewhere under it, and with
a cold cache) are in the same rounds. Prints and returns median / p95 / max in milliseconds,
the queries of every timed request (a row whose count varies says so: "12–15 (4×15)" means 4
of the requests ran 15) and the size of one request.

The cache is the one the settings give: Redis, as in production, when REDIS_URL is set (use a
database number of your own, e.g. redis://127.0.0.1:6379/9: the bench writes pages to it); the
local-memory cache otherwise. Figures are counter rows (pledges.tallies), never cached.
With DATABASE_REPLICA_URL set, the queries of both connections are counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_city .venv/bin/python bench/pages.py

`--size` names the data set (bench/all.py passes it): `county` (a county-sized city,
`seed_demo --branches 472`) and `city` time these pages on the city; `province` times the same
pages on the province's first city (the city of the sources, logins and all, now one of three)
and adds the province's own: its dashboard, `/org/` and `/reviews/office/` as
`province_office`, from the cache and recounted. Rows go to bench/results/pages-<size>.json
(and pages.json, which all.py reads).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from pledges import tallies  # noqa: E402
from pledges.demo import CITY_NAME, COUNTY_NAME, PROVINCE_NAME  # noqa: E402
from pledges.models import Member, Organization, Position  # noqa: E402
from publicity.models import Notice  # noqa: E402
from reviews.models import InspectionRound, Quarter, SelectionRound  # noqa: E402

User = get_user_model()
RESULTS = ROOT / "bench" / "results"


@dataclass
class Page:
    name: str
    url: str
    user: object | None  # None: the public, not logged in
    target_ms: float
    uncached: bool = False  # the count cache bypassed (a dummy cache): nothing counted yet
    # Run before each request, untimed: a write somewhere under the city (its bump of the
    # count versions), so the request is the first after that write.
    before: Callable[[], None] | None = None
    samples: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)  # of each timed request
    size: int = 0  # bytes of the last answer
    client: Client | None = None


def _one(queryset, what: str):
    obj = queryset.first()
    if obj is None:
        sys.exit(f"no {what}: seed the city first (manage.py seed_demo --scale city)")
    return obj


def pages(size: str = "city") -> list[Page]:
    # A root in the city's database; in the province's, its first city (one level down).
    city = _one(Organization.objects.filter(name=CITY_NAME).order_by("depth", "path"), "city")
    under = Organization.objects.filter(path__startswith=city.path)
    branch = _one(
        under.filter(level=Organization.Level.BRANCH)
        .annotate(n=Count("members"))
        .order_by("-n", "path"),
        "branch",
    )
    secretary = _one(
        Position.objects.filter(organization=branch, kind=Position.Kind.SECRETARY), "secretary"
    ).user
    member = _one(
        Member.objects.filter(organization=branch, user__isnull=False)
        .exclude(user=secretary)
        .annotate(n=Count("pledges"))
        .order_by("-n", "id"),
        "member with a login",
    )
    office = User.objects.get(username="city_office")
    leader = User.objects.get(username="city_leader")
    committee_secretary = User.objects.get(username="city_secretary01")
    county = _one(under.filter(depth=city.depth + 1).order_by("path"), "county")
    q = Quarter.current()
    notice = next(
        (n for n in Notice.objects.order_by("-pk")[:50] if _public_ok(n)),
        None,
    )

    result = [
        Page("branch page (its secretary)", f"/org/{branch.pk}/", secretary, 100),
        Page("member page /me/", "/me/", member.user, 100),
        Page("my reviews, a leader", "/reviews/my/", leader, 100),
        Page("my reviews, secretary of 22 committees", "/reviews/my/", committee_secretary, 100),
        Page(
            "review form (leader, a county)",
            f"{reverse('reviews:review_new')}?subject=o:{county.pk}",
            leader,
            100,
        ),
        Page(
            "public organization page",
            reverse("publicity:organization", args=[branch.pk]),
            None,
            100,
        ),
        Page("city dashboard", reverse("reviews:dashboard", args=[city.pk]), office, 100),
        Page(
            "city dashboard, after a review is signed",
            reverse("reviews:dashboard", args=[city.pk]),
            office,
            100,
            before=lambda: touch(branch, q),
        ),
        Page(
            "city dashboard, after a pledge is saved",
            reverse("reviews:dashboard", args=[city.pk]),
            office,
            100,
            before=lambda: touch(branch, q),
        ),
        Page(
            "city dashboard, cold cache",
            reverse("reviews:dashboard", args=[city.pk]),
            office,
            100,
            uncached=True,
        ),
        Page("office: /org/<city>/", f"/org/{city.pk}/", office, 100),
        Page(
            "office: /org/<city>/, after a pledge is saved",
            f"/org/{city.pk}/",
            office,
            100,
            before=lambda: touch(branch, q),
        ),
        Page("office: /org/<city>/, cold cache", f"/org/{city.pk}/", office, 100, uncached=True),
        Page("office: /reviews/office/<city>/", f"/reviews/office/{city.pk}/", office, 100),
        Page(
            "office: filing status of the city (备案, all branches)",
            reverse("reviews:filing_status", args=[city.pk]),
            office,
            150,
        ),
        Page(
            "office: filing status of the city, missing only",
            f"{reverse('reviews:filing_status', args=[city.pk])}?status=missing",
            office,
            150,
        ),
        Page(
            "office: /reviews/office/<city>/, after a review is signed",
            f"/reviews/office/{city.pk}/",
            office,
            100,
            before=lambda: touch(branch, q),
        ),
        Page(
            "office: /reviews/office/<city>/, cold cache",
            f"/reviews/office/{city.pk}/",
            office,
            100,
            uncached=True,
        ),
        Page("public city root page", reverse("publicity:organization", args=[city.pk]), None, 100),
        Page(
            "public city root page, uncached",
            reverse("publicity:organization", args=[city.pk]),
            None,
            300,
            uncached=True,
        ),
    ]
    inspection = (
        InspectionRound.objects.filter(organization=city, kind=InspectionRound.Kind.REGULAR)
        .order_by("-id")
        .first()
    )
    if inspection is not None:
        # Issue 15 §2: the checklist pre-filled for a page of the city's 7,000 branches.
        url = reverse("reviews:inspection", args=[inspection.pk])
        result.append(Page("inspection pre-fill, city (a page)", url, office, 150))
        result.append(Page("inspection pre-fill, city (page 100)", f"{url}?page=100", office, 150))
    else:
        print("no inspection of the city: run seed_demo's reviews hook (reviews.demo.inspection)")
    selection = SelectionRound.objects.filter(organization=city).order_by("-pk").first()
    if selection is not None:
        result.append(
            Page(
                "office: nominations page, first page (七一 round of the city)",
                reverse("reviews:selection_round", args=[selection.pk]),
                office,
                150,
            )
        )
    else:
        print("no selection round: seed the city again (reviews demo) for the nominations page")
    if size == "province":
        result += province_pages()
    if notice is not None:
        url = reverse("publicity:notice", args=[notice.organization_id, notice.pk])
        result.insert(5, Page(f"notice page ({COUNTY_NAME} demo)", url, None, 100))
    else:
        print("no public notice: seed the county too (manage.py seed_demo) for the notice page")
    return result


def province_pages() -> list[Page]:
    """The province's office on the province's own pages (three cities' counts)."""
    province = _one(Organization.objects.get_root_nodes().filter(name=PROVINCE_NAME), "province")
    office = User.objects.get(username="province_office")
    dashboard = reverse("reviews:dashboard", args=[province.pk])
    return [
        Page("province dashboard", dashboard, office, 300),
        Page("province dashboard, recounted", dashboard, office, 300, uncached=True),
        Page("office: /org/<province>/", f"/org/{province.pk}/", office, 100),
        Page(
            "office: /org/<province>/, recounted",
            f"/org/{province.pk}/",
            office,
            100,
            uncached=True,
        ),
        Page("office: /reviews/office/<province>/", f"/reviews/office/{province.pk}/", office, 100),
    ]


def _public_ok(notice) -> bool:
    url = reverse("publicity:notice", args=[notice.organization_id, notice.pk])
    return Client().get(url).status_code == 200


def touch(branch, q) -> None:
    """A write's share of the work the pages see: a counter row of the branch moved up and
    back in one transaction (pledges.tallies keeps figures in the writer's transaction)."""
    figure = (branch.pk, q.year, q.quarter, "bench", "")
    with transaction.atomic():
        tallies.apply(Counter({figure: 1}))
        tallies.apply(Counter({figure: -1}))


DUMMY_CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@contextmanager
def bypass(page: Page):
    """For a cold variant, every cache misses (as after a Redis flush or outage): a dummy
    cache in place of the default one. Figures are counter rows (pledges.tallies), so a cold
    page reads the same rows as a warm one; what differs is only what else the page caches
    (the public page's whole answer, the bell's count)."""
    if not page.uncached:
        yield
        return
    with override_settings(CACHES=DUMMY_CACHES):
        yield


def cache_name() -> str:
    backend = settings.CACHES["default"]["BACKEND"]
    return "redis" if "Redis" in backend else "locmem" if "LocMem" in backend else backend


class Queries:
    """The statements of one request on every database connection the bench reads through."""

    def __enter__(self):
        aliases = ["default", "replica"] if settings.READ_REPLICA else ["default"]
        self._stack = ExitStack()
        self._contexts = [
            self._stack.enter_context(CaptureQueriesContext(connections[a])) for a in aliases
        ]
        return self

    def __exit__(self, *exc):
        self._stack.__exit__(*exc)
        # Read now: every request clears the connection's query log.
        self.count = sum(len(c.captured_queries) for c in self._contexts)


def queries_label(counts: list[int]) -> str:
    """'12' when every request ran 12; '12–15 (4×15)' when some ran more (a recount)."""
    low, high = min(counts), max(counts)
    if low == high:
        return str(low)
    more = Counter(c for c in counts if c > low)
    return f"{low}–{high} ({', '.join(f'{n}×{c}' for c, n in sorted(more.items()))})"


def measure(runs: int, warmup: int = 3, size: str = "city", only: str = "") -> list[dict]:
    todo = [p for p in pages(size) if only in p.name]
    for page in todo:
        page.client = Client()
        if page.user is not None:
            page.client.force_login(page.user)
        for _ in range(warmup):  # connection, caches, template loader
            with bypass(page):
                response = page.client.get(page.url)
            assert response.status_code == 200, (page.name, response.status_code)
    cached = [p for p in todo if p.before is None and not p.uncached]
    for _ in range(runs):
        for page in todo:
            if page.before is not None:
                page.before()
            with bypass(page), Queries() as ran:
                start = time.perf_counter()
                response = page.client.get(page.url)
                page.samples.append((time.perf_counter() - start) * 1000)
            page.queries.append(ran.count)
            page.size = len(response.content)
            assert response.status_code == 200, (page.name, response.status_code)
            if page.before is not None:
                # The write staled the other pages' counts too: count them again, untimed,
                # so the pages timed from the cache are answered from it.
                for other in cached:
                    other.client.get(other.url)
    rows = []
    for page in todo:
        samples = sorted(page.samples)
        rows.append(
            {
                "page": page.name,
                "url": page.url,
                "target_ms": page.target_ms,
                "runs": len(samples),
                "median": statistics.median(samples),
                "p95": samples[max(0, round(len(samples) * 0.95) - 1)],
                "max": samples[-1],
                "queries": queries_label(page.queries),
                "queries_min": min(page.queries),
                "queries_max": max(page.queries),
                "cache": cache_name(),
                "kb": page.size / 1024,
            }
        )
    return rows


def print_rows(rows: list[dict]) -> None:
    print(f"cache: {cache_name()}; replica: {'yes' if settings.READ_REPLICA else 'no'}")
    print(f"{'page':<44} {'median':>8} {'p95':>8} {'max':>8} {'queries':>7} {'KB':>6}  target")
    for r in rows:
        verdict = "OK" if r["p95"] < r["target_ms"] else "OVER"
        print(
            f"{r['page'][:44]:<44} {r['median']:>6.1f}ms {r['p95']:>6.1f}ms {r['max']:>6.1f}ms "
            f"{r['queries']:>7} {r['kb']:>6.1f}  p95 < {r['target_ms']:.0f} ms {verdict}"
        )


def main() -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--only", default="", help="time only the pages whose name has this")
    parser.add_argument("--size", choices=["county", "city", "province"], default="city")
    args = parser.parse_args()
    rows = measure(args.runs, size=args.size, only=args.only)
    print_rows(rows)
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(rows, ensure_ascii=False, indent=1)
    (RESULTS / "pages.json").write_text(text)
    (RESULTS / f"pages-{args.size}.json").write_text(text)
    return rows


if __name__ == "__main__":
    main()
