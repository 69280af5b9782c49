"""Per-address rate limits for anonymous forms (opinions, mass evaluation), on the cache.

Only a hash of the address is used, and only in the cache for the window, so no address is
stored. The counter is an atomic cache.incr (Redis in production, process memory embedded).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, address: str) -> str:
    return f"rate:{scope}:{hashlib.sha256((address or '-').encode()).hexdigest()[:24]}"


def over_limit(scope: str, address: str, *, limit: int) -> bool:
    """True if this address already used up `limit` under `scope` (counts nothing)."""
    return (cache.get(_key(scope, address)) or 0) >= limit


def rate_limited(scope: str, address: str, *, limit: int, seconds: int) -> bool:
    """Count one try from this address under `scope`; True once it is over `limit`."""
    key = _key(scope, address)
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds)
        count = 1
    return count > limit
