"""The one version scheme for what is kept in the cache, safe across a Redis outage.

A cached value (a public page, a subtree's counts) is stored under a key that holds the
versions of what it shows; a write bumps those versions, so a changed value is simply a new key
and nothing is ever deleted. Two things could bring an old key back:

- a version evicted from the cache (`allkeys-lru`) or lost in a restart would start again at 1,
  a number old values may still be stored under: a missing version starts at the clock
  (nanoseconds) instead, above every number it held before;
- a bump that did not reach Redis (down, or unreachable from this host): the version stays,
  and once Redis answers again every value cached before the write would be served as
  current. So a dropped bump raises the *epoch*, a number kept in the database, once the write
  has committed. Every stamp starts with the epoch, and each process reads it again at least
  every EPOCH_SECONDS (a cache hit costs no query: one query per process per interval).

So after an outage nothing cached before it is served for longer than EPOCH_SECONDS after
the write (the window any other process needs to see a bump anyway).

`increment` is the one add-then-incr counter: versions and rate limits both count with it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from .cache import dropped_calls

EPOCH_SECONDS = 5.0


class CacheEpoch(models.Model):
    """One row: raised whenever a version bump could not reach the cache."""

    value = models.BigIntegerField(default=0)
    raised_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "cache epoch"

    def __str__(self) -> str:
        return str(self.value)


# (epoch, monotonic time until which it is taken as current), for the whole process.
_epoch: tuple[int, float] = (0, -math.inf)


def remember_epoch(value: int, seconds: float = EPOCH_SECONDS) -> None:
    global _epoch
    _epoch = (value, time.monotonic() + seconds)


def forget_epoch() -> None:
    """The next stamp reads the epoch from the database."""
    global _epoch
    _epoch = (_epoch[0], -math.inf)


def epoch() -> int:
    value, until = _epoch
    if time.monotonic() < until:
        return value
    # The primary, never a replica: a lagging epoch would serve what the outage left behind.
    rows = CacheEpoch.objects.using(DEFAULT_DB_ALIAS).values_list("value", flat=True)
    value = rows.first() or 0
    remember_epoch(value)
    return value


def raise_epoch() -> None:
    """Every stamp changes. Never back to an earlier number (the clock), so a database
    restored from a backup does not bring back an epoch old values are stored under."""
    raised = Greatest(F("value") + 1, Value(time.time_ns()))
    rows = CacheEpoch.objects.using(DEFAULT_DB_ALIAS)
    if not rows.filter(pk=1).update(value=raised):
        rows.get_or_create(pk=1, defaults={"value": time.time_ns()})
    forget_epoch()


def increment(key: str, *, start: int = 1, seconds: int | None = None) -> int:
    """Add one to the counter at `key` and return it; a missing counter starts at `start`,
    kept `seconds` (None: until evicted). Atomic on Redis and on local memory."""
    if cache.add(key, start, seconds):
        return start
    try:
        return cache.incr(key)
    except ValueError:  # expired or evicted between add and incr
        cache.set(key, start, seconds)
        return start


def bump(keys: Iterable[str]) -> None:
    """Each version goes up by one. If the cache dropped any of the bumps, the epoch goes up
    instead once the transaction commits (a reader in between still reads the old rows)."""
    before = dropped_calls()
    for key in keys:
        increment(key, start=time.time_ns())
    if dropped_calls() != before:
        transaction.on_commit(raise_epoch)


def versions(keys: list[str]) -> dict[str, int] | None:
    """The current version of each key (a missing one starts at the clock), in one read of the
    cache when all are there; None when the cache did not answer (then store nothing)."""
    before = dropped_calls()
    found = cache.get_many(keys)
    for key in keys:
        if found.get(key) is None:
            cache.add(key, time.time_ns(), None)
            found[key] = cache.get(key)
    if dropped_calls() != before or any(found.get(key) is None for key in keys):
        return None
    return {key: found[key] for key in keys}


def stamp(keys: list[str]) -> str | None:
    """The epoch and the versions of `keys`, for the key of a value that shows what they
    version; None when the cache did not answer (then neither look up nor store)."""
    found = versions(keys)
    if found is None:
        return None
    return ".".join([str(epoch()), *(str(found[key]) for key in keys)])
