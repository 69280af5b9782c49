"""A Redis cache that survives Redis being down: reads miss, writes are dropped, and the
pages keep working on the database alone.

What degrades, and how:
- cached reads fall through to the database (a miss);
- `add` answers True, so a form-token claim lets the post through (a double click may then
  post twice, which beats refusing every form) and a rate limit counts from zero;
- `incr` answers `delta`, so a rate-limit counter reads as a first hit.
Sessions are in the database, so nobody is logged out. After a failure Redis is not tried
again for `RETRY_SECONDS`, so a page does not wait on a dead server for every cache call;
then the next call tries again, and the cache is back as soon as Redis is.

A dropped write is counted (`dropped_calls`): a version bump that did not reach Redis must
leave a trace elsewhere (core/cache_versions.py), or the pages cached before it would be
served again once Redis is back.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

RETRY_SECONDS = 5.0
FAULTS = (RedisConnectionError, RedisTimeoutError, OSError)

# servers -> monotonic time until which Redis is taken as down (shared by every thread's
# cache instance in the process).
_down_until: dict[str, float] = {}
# Per thread: a caller compares the count before and after its own calls.
_dropped = threading.local()


def dropped_calls() -> int:
    """How many cache calls of this thread answered the fallback instead of Redis (it failed,
    or it was taken as down) since the thread started. 0 for every other backend."""
    return getattr(_dropped, "count", 0)


def _count_dropped() -> None:
    _dropped.count = dropped_calls() + 1


class FaultTolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._name = ",".join(self._servers)

    def is_down(self) -> bool:
        return _down_until.get(self._name, 0.0) > time.monotonic()

    def _failed(self, operation: str, error: Exception) -> None:
        if not self.is_down():
            log.warning("cache %s failed, Redis taken as down: %s", operation, error)
        _down_until[self._name] = time.monotonic() + RETRY_SECONDS

    def _try(self, operation: str, call, fallback):
        if self.is_down():
            _count_dropped()
            return fallback
        try:
            return call()
        except FAULTS as error:
            self._failed(operation, error)
            _count_dropped()
            return fallback

    def ping(self) -> bool:
        """True if Redis answers now (for /healthz); never served from the down window."""
        try:
            return bool(self._cache.get_client(write=True).ping())
        except FAULTS as error:
            self._failed("ping", error)
            return False

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("add", lambda: RedisCache.add(self, key, value, timeout, version), True)

    def get(self, key, default=None, version=None):
        return self._try("get", lambda: RedisCache.get(self, key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try("set", lambda: RedisCache.set(self, key, value, timeout, version), None)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("touch", lambda: RedisCache.touch(self, key, timeout, version), False)

    def delete(self, key, version=None):
        return self._try("delete", lambda: RedisCache.delete(self, key, version), False)

    def get_many(self, keys, version=None):
        return self._try("get_many", lambda: RedisCache.get_many(self, keys, version), {})

    def has_key(self, key, version=None):
        return self._try("has_key", lambda: RedisCache.has_key(self, key, version), False)

    def incr(self, key, delta=1, version=None):
        return self._try("incr", lambda: RedisCache.incr(self, key, delta, version), delta)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try("set_many", lambda: RedisCache.set_many(self, data, timeout, version), [])

    def delete_many(self, keys, version=None):
        self._try("delete_many", lambda: RedisCache.delete_many(self, keys, version), None)

    def clear(self):
        return self._try("clear", lambda: RedisCache.clear(self), False)
