"""Public pages come from the cache and are refreshed when their content changes.

Each organization has a version number in the cache; the services (and signal handlers for
the pledge book and the reviews) bump it, with its ancestors', whenever something shown on its
pages changes. A page's key holds the organization's version, a site-wide version (names and
the tree), the language and today's date (a window starts or ends at midnight), so a changed
page is simply a new key: nothing is deleted, and a hit reads the cache only, never the
database. The versions and the epoch a dropped bump raises are core.cache_versions': a page
cached before a Redis outage is not served after it.

Only the query parameters a page reads are in its key (`PAGE_PARAMS`); the others are dropped
before the view runs too, so `?utm=<random>` is the same page and the same key. What one address
can make the cache hold is bounded: past `FILLS_PER_MINUTE` misses a minute, its pages are
rendered but not stored, and a page with a query (the finder's `?q=`, the only part of a key a
visitor can vary at will) is kept `QUERY_PAGE_SECONDS` only: one address holds at most
FILLS_PER_MINUTE × 10 such pages at a time, not a day's worth.

In front of Redis, each process keeps its own copy of the pages it served (`LocalPages`, issue
17 §4): a hit through Redis costs two round trips and a ~20 KB read (about 1,700 requests/s on
two workers); from the process's memory it costs none. A copy is keyed exactly as in Redis (the
versions' stamp), so it can only be served while its versions are current. What it changes is
how often the versions are read: at most every `PUBLIC_PAGE_LOCAL_SECONDS` (0.5 s) per set of
version keys and process, so:
- a write bumps the versions in Redis at once and, in the process that made it, forgets the
  versions read (that process serves the new page at once: its own writes are never stale);
- any other process sees the bump within PUBLIC_PAGE_LOCAL_SECONDS — a withdrawn or corrected
  notice is served at most half a second longer than with no local layer (the time a page takes
  to reach a reader anyway), never after; a browser or nginx's cache may keep it 10 s
  (CACHE_CONTROL);
- with Redis down the versions are unknown after that half second and nothing is served from
  any copy (as before: the page comes from the database); the epoch (core.cache_versions)
  still changes every stamp after an outage, so no copy made before it matches again;
- a copy is kept at most `LOCAL_PAGE_SECONDS` (a page read from a replica is kept briefly in
  Redis, core.db: its local copy must not outlive that by much), pages with a query (`?q=`,
  kept 10 minutes in Redis) are not copied, and the copies of a process hold at most
  `LOCAL_PAGES_BYTES` (least recently used first out).
With local memory as the cache (no REDIS_URL) the layer is off: the cache is the process's.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone

from core import cache_versions, db
from core.ratelimit import rate_limited
from core.security.addresses import client_address
from pledges.models import Organization

from .text import scrub_response

PAGE_SECONDS = 24 * 3600
QUERY_PAGE_SECONDS = 10 * 60
SITE_KEY = "pub:v:site"


def _org_key(org_id: int) -> str:
    return f"pub:v:o:{org_id}"


def _bump_keys(keys: Iterable[str]) -> None:
    cache_versions.bump(keys)
    # This process's own write is served at once; other processes within the version window.
    LOCAL.forget()


LOCAL_PAGE_SECONDS = 30
LOCAL_PAGES_BYTES = 32 * 1024 * 1024
LOCAL_VERSION_SETS = 20_000


class LocalPages:
    """The process's copies of public pages and, for a short while, of their versions."""

    def __init__(self) -> None:
        self.clock = time.monotonic
        self._lock = threading.Lock()
        self._pages: OrderedDict[str, tuple[bytes, str, float]] = OrderedDict()
        self._bytes = 0
        self._versions: dict[tuple[str, ...], tuple[str, float]] = {}

    @staticmethod
    def seconds() -> float:
        return getattr(settings, "PUBLIC_PAGE_LOCAL_SECONDS", 0.0)

    def forget(self) -> None:
        """Read every version again (a bump here, or another cache configured)."""
        self._versions = {}

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0
        self.forget()

    def versions(self, keys: list[str]) -> str | None:
        """The versions part of the stamp, read from the cache at most every seconds()."""
        window = self.seconds()
        if window <= 0:
            return _read_versions(keys)
        now = self.clock()
        known = self._versions.get(tuple(keys))
        if known is not None and now < known[1]:
            return known[0]
        read = _read_versions(keys)
        if read is None:
            return None
        if len(self._versions) >= LOCAL_VERSION_SETS:
            self._versions = {}
        self._versions[tuple(keys)] = (read, now + window)
        return read

    def get(self, key: str) -> tuple[bytes, str] | None:
        if self.seconds() <= 0:
            return None
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if self.clock() >= found[2]:
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return found[0], found[1]

    def put(self, key: str, hit: tuple[bytes, str], seconds: float) -> None:
        content, content_type = hit
        if self.seconds() <= 0 or len(content) > LOCAL_PAGES_BYTES // 8:
            return
        until = self.clock() + min(seconds, LOCAL_PAGE_SECONDS)
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = (content, content_type, until)
            self._bytes += len(content)
            while self._bytes > LOCAL_PAGES_BYTES:
                self._drop(next(iter(self._pages)))

    def _drop(self, key: str) -> None:
        content, _type, _until = self._pages.pop(key)
        self._bytes -= len(content)


LOCAL = LocalPages()


@receiver(setting_changed)
def _cache_changed(*, setting: str, **kwargs) -> None:
    if setting in ("CACHES", "PUBLIC_PAGE_LOCAL_SECONDS"):
        LOCAL.clear()


def bump_organizations(org_ids: Iterable[int]) -> None:
    """Refresh the pages of these organizations and of every organization above them."""
    ids = {i for i in org_ids if i}
    if not ids:
        return
    paths = Organization.objects.filter(pk__in=ids).values_list("path", flat=True)
    prefixes = {
        path[:n]
        for path in paths
        for n in range(Organization.steplen, len(path) + 1, Organization.steplen)
    }
    above = Organization.objects.filter(path__in=prefixes).values_list("pk", flat=True)
    _bump_keys(_org_key(i) for i in {*ids, *above})


def bump_site() -> None:
    """Names or the tree changed: the finder and every page's breadcrumbs."""
    _bump_keys([SITE_KEY])


# The query parameters each public page reads, by its path; every other page reads none.
PAGE_PARAMS: tuple[tuple[re.Pattern, tuple[str, ...]], ...] = (
    (re.compile(r"^/public/$"), ("q",)),  # the finder
)
# Misses one address may store a minute: more are answered, not kept (an address walking
# every page of a city stays well under it; one inventing URLs does not fill Redis).
FILLS_PER_MINUTE = 60


def _read_params(path: str) -> tuple[str, ...]:
    for pattern, names in PAGE_PARAMS:
        if pattern.match(path):
            return names
    return ()


def _query(request: HttpRequest) -> str:
    """The query string of the parameters the page reads (their last value, as `GET[name]`)."""
    return urlencode([(n, request.GET[n]) for n in _read_params(request.path) if n in request.GET])


def _drop_unread_params(request: HttpRequest) -> None:
    """The view sees only what its key holds, so the page stored is the page keyed (a link
    back to the page, the language switch's `next`, never carries a visitor's parameters)."""
    query = _query(request)
    if query != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


def _read_versions(keys: list[str]) -> str | None:
    found = cache_versions.versions(keys)
    if found is None:
        return None
    return ".".join(str(found[key]) for key in keys)


def page_key(request: HttpRequest, org_id: int | None) -> str | None:
    """None when the cache cannot say the current versions: neither look up nor store."""
    keys = [SITE_KEY] + ([_org_key(org_id)] if org_id else [])
    found = LOCAL.versions(keys)
    if found is None:
        return None
    # The epoch as core.cache_versions.stamp() puts it first (read again every few seconds).
    stamp = f"{cache_versions.epoch()}.{found}"
    parts = [
        getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        timezone.localdate().isoformat(),
        request.get_host(),
        stamp,
        request.path,
        _query(request),
    ]
    digest = hashlib.sha256("|".join(parts).encode("utf-8", "replace")).hexdigest()
    # "r": stored scrubbed (publicity.text.scrub_response); never a copy stored unscrubbed.
    return f"pub:page:r:{digest}"


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's answer from the cache; `org_pk` in the URL picks the version key.
    Only complete 200 answers are kept; the stored copy is the bytes and the content type."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        _drop_unread_params(request)
        key = page_key(request, kwargs.get("org_pk"))
        hit = lookup(key, request) if key else None
        if hit is not None:
            return cached_response(hit)
        with db.lag_tolerant() as reads:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
        if response.status_code != 200 or getattr(response, "streaming", False):
            return response
        response["Cache-Control"] = CACHE_CONTROL
        # Scrubbed once, before it is stored: a hit is served as stored.
        scrub_response(request, response)
        if key and not rate_limited(
            "page-fill", client_address(request), limit=FILLS_PER_MINUTE, seconds=60
        ):
            # Read from a replica, the page may be older than its key: kept briefly (core.db).
            seconds = reads.cache_seconds(QUERY_PAGE_SECONDS if _query(request) else PAGE_SECONDS)
            stored = (response.content, response["Content-Type"])
            cache.set(key, stored, seconds)
            if not _query(request):
                LOCAL.put(key, stored, seconds)
        return response

    return wrapper


# Browsers and proxies may keep a public page 10 seconds: nginx's micro-cache in front of the
# application (deploy/nginx-pledgebook.conf) keeps it exactly as long as this says, so a
# published change or a withdrawn notice reaches every reader within 10 s (plus as long again
# in a browser that kept its copy). Signed in, NoStoreMiddleware makes it `private, no-store`.
CACHE_CONTROL = "public, max-age=10"
_ORG_IN_PATH = re.compile(r"^/public/org/(\d{1,12})/")
_NOT_CACHED = ("/public/manage/", "/public/print/")


def lookup(key: str, request: HttpRequest) -> tuple[bytes, str] | None:
    """The process's copy, else Redis's (then copied here: pages without a query only)."""
    hit = LOCAL.get(key)
    if hit is not None:
        return hit
    hit = cache.get(key)
    if hit is not None and not _query(request):
        LOCAL.put(key, hit, LOCAL_PAGE_SECONDS)
    return hit


def cached_response(hit: tuple[bytes, str]) -> HttpResponse:
    content, content_type = hit
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = CACHE_CONTROL
    response.redacted = True  # stored scrubbed (cached_page)
    return response


class PublicCacheMiddleware:
    """Answer a cached public page before the session, CSRF, authentication and URL
    resolution run: the same key as `cached_page`, so a hit costs two cache reads, or none from
    the process's copy (`LocalPages`). Placed right
    after the language is chosen (the key holds the language). Misses go on to the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if (
            request.method in ("GET", "HEAD")
            and path.startswith("/public/")
            and not path.startswith(_NOT_CACHED)
        ):
            match = _ORG_IN_PATH.match(path)
            key = page_key(request, int(match.group(1)) if match else None)
            hit = lookup(key, request) if key else None
            if hit is not None:
                response = cached_response(hit)
                # The inner middleware that would set it is skipped on a hit.
                response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
                return response
        return self.get_response(request)
