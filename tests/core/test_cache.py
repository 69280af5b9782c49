"""Redis down: cache reads miss, writes are dropped, form tokens and pages keep working.

The outage is a cache pointed at a local port nothing listens on; the shared Redis server is
never stopped. With REDIS_URL set (CI) the "up" test runs against the real Redis."""

import os
import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core import cache as fault_tolerant_cache
from core.cache import FaultTolerantRedisCache
from core.once import claim


@pytest.fixture
def redis_down(settings, closed_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FaultTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return closed_port


def test_it_misses_and_drops_writes_when_redis_is_down(redis_down):
    cache.set("k", 1)
    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["k", "j"]) == {}
    assert cache.get_or_set("k", 5) == 5
    assert cache.add("k", 1) is True
    assert cache.incr("counter", 3) == 3
    assert cache.delete("k") is False
    assert cache.has_key("k") is False
    cache.set_many({"a": 1})
    cache.delete_many(["a"])


def test_it_stops_trying_redis_for_a_few_seconds_after_a_failure(redis_down):
    cache.get("k")
    assert cache.is_down()
    started = time.monotonic()
    for _ in range(100):
        cache.get("k")
    assert time.monotonic() - started < 0.5
    fault_tolerant_cache._down_until.clear()  # the window has passed: it tries again
    assert not cache.is_down()
    assert cache.ping() is False and cache.is_down()


def test_it_lets_a_form_post_through_without_redis(redis_down, db):
    request = RequestFactory().post("/", {"form_token": "abc"})
    request.user = type("U", (), {"pk": 1})()
    assert claim(request) is True


def test_it_serves_signed_in_pages_without_redis(redis_down, client, world):
    client.force_login(world.secretary)
    assert client.get(f"/org/{world.branch.pk}/").status_code == 200
    assert client.get("/password/").status_code == 200


def test_it_logs_the_outage_once(redis_down, caplog):
    with caplog.at_level("WARNING", logger="core.cache"):
        for _ in range(5):
            cache.get("k")
    assert len([r for r in caplog.records if "Redis taken as down" in r.message]) == 1


def test_it_caches_when_the_cache_is_up(settings):
    """CI: the real Redis through the fault-tolerant backend; elsewhere process memory."""
    if os.environ.get("REDIS_URL"):
        assert settings.CACHES["default"]["BACKEND"] == "core.cache.FaultTolerantRedisCache"
        assert cache.ping() is True
    key = f"cache-test-{time.time_ns()}"
    cache.set(key, "v", 30)
    assert cache.get(key) == "v"
    assert cache.add(key, "other") is False
    cache.delete(key)


def test_it_is_configured_with_short_timeouts_when_redis_is_used():
    backend = FaultTolerantRedisCache(
        "redis://127.0.0.1:6379/0", {"OPTIONS": {"socket_connect_timeout": 1}}
    )
    assert backend._cache._pool_options["socket_connect_timeout"] == 1
