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
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
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


def page_key(request: HttpRequest, org_id: int | None) -> str | None:
    """None when the cache cannot say the current versions: neither look up nor store."""
    keys = [SITE_KEY] + ([_org_key(org_id)] if org_id else [])
    stamp = cache_versions.stamp(keys)
    if stamp is None:
        return None
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
        hit = cache.get(key) if key else None
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
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapper


# Browsers and proxies may keep a public page for a minute.
CACHE_CONTROL = "public, max-age=60"
_ORG_IN_PATH = re.compile(r"^/public/org/(\d{1,12})/")
_NOT_CACHED = ("/public/manage/", "/public/print/")


def cached_response(hit: tuple[bytes, str]) -> HttpResponse:
    content, content_type = hit
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = CACHE_CONTROL
    response.redacted = True  # stored scrubbed (cached_page)
    return response


class PublicCacheMiddleware:
    """Answer a cached public page before the session, CSRF, authentication and URL
    resolution run: the same key as `cached_page`, so a hit costs two cache reads. Placed right
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
            hit = cache.get(key) if key else None
            if hit is not None:
                response = cached_response(hit)
                # The inner middleware that would set it is skipped on a hit.
                response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
                return response
        return self.get_response(request)
