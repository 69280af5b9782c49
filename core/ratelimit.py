"""Per-address rate limits for anonymous forms (opinions, mass evaluation), on the cache.

Only a hash of the address is used, and only in the cache for the window, so no address is
stored. The counter is core.cache_versions.increment (Redis in production, process memory
embedded). Redis down: every try counts as a first one (core/cache.py), so nobody is refused.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache

from .cache_versions import increment


def _key(scope: str, address: str) -> str:
    return f"rate:{scope}:{hashlib.sha256((address or '-').encode()).hexdigest()[:24]}"


def over_limit(scope: str, address: str, *, limit: int) -> bool:
    """True if this address already used up `limit` under `scope` (counts nothing)."""
    return (cache.get(_key(scope, address)) or 0) >= limit


def rate_limited(scope: str, address: str, *, limit: int, seconds: int) -> bool:
    """Count one try from this address under `scope`; True once it is over `limit`."""
    return increment(_key(scope, address), seconds=seconds) > limit
