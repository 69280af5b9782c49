"""The one version scheme: versions from the clock, and an epoch in the database that a bump
Redis dropped raises, so nothing cached before an outage is served after it.

The outage is a cache pointed at a local port nothing listens on (tests/core/conftest.py)."""

import time

import pytest
from django.core.cache import cache

from core import cache_versions
from core.cache_versions import CacheEpoch


@pytest.fixture
def redis_down(settings, closed_port):
    back = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FaultTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    yield
    settings.CACHES = back


def test_it_counts_from_start_and_up_by_one():
    key = f"count-{time.time_ns()}"
    assert cache_versions.increment(key, seconds=60) == 1
    assert cache_versions.increment(key, seconds=60) == 2
    assert cache_versions.increment(f"{key}-b", start=10) == 10


def test_it_starts_a_missing_version_above_every_number_it_held():
    key = f"v-{time.time_ns()}"
    cache_versions.bump([key])
    cache_versions.bump([key])
    old = cache_versions.versions([key])[key]
    cache.delete(key)  # evicted, or Redis restarted empty
    assert cache_versions.versions([key])[key] > old


def test_it_changes_the_stamp_when_a_version_is_bumped(db):
    before = cache_versions.stamp(["a", "b"])
    assert cache_versions.stamp(["a", "b"]) == before
    cache_versions.bump(["b"])
    assert cache_versions.stamp(["a", "b"]) != before


def test_it_leaves_the_epoch_alone_while_the_cache_takes_the_bumps(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        cache_versions.bump(["a"])
    assert callbacks == []
    assert not CacheEpoch.objects.exists()


def test_it_raises_the_epoch_after_the_commit_when_a_bump_is_dropped(
    db, redis_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cache_versions.bump(["a"])
        # Not before the commit: a reader in between still reads the rows as they were.
        assert not CacheEpoch.objects.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert CacheEpoch.objects.get().value > 0


def test_it_changes_every_stamp_once_the_epoch_is_raised(db):
    before = cache_versions.stamp(["a"])
    cache_versions.raise_epoch()
    assert cache_versions.stamp(["a"]) != before
    first = CacheEpoch.objects.get().value
    cache_versions.raise_epoch()
    assert CacheEpoch.objects.get().value > first


def test_it_never_takes_the_epoch_back_to_an_earlier_number(db):
    cache_versions.raise_epoch()
    CacheEpoch.objects.update(value=5)  # a database restored from an old backup
    cache_versions.raise_epoch()
    assert CacheEpoch.objects.get().value > time.time_ns() - 60 * 10**9


def test_it_reads_the_epoch_once_per_interval(db, django_assert_num_queries):
    cache_versions.forget_epoch()
    with django_assert_num_queries(1):
        cache_versions.epoch()
        cache_versions.epoch()
    CacheEpoch.objects.create(pk=1, value=7)  # raised by another process
    with django_assert_num_queries(0):
        assert cache_versions.epoch() == 0
    cache_versions.forget_epoch()  # the interval has passed
    assert cache_versions.epoch() == 7


def test_it_gives_no_stamp_when_the_cache_does_not_answer(db, redis_down):
    assert cache_versions.versions(["a"]) is None
    assert cache_versions.stamp(["a"]) is None
