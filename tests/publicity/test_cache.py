"""The public pages' cache: across a Redis outage, whatever the query string, whoever asks.

The outage is the cache pointed at a local port nothing listens on; the cache that comes back
is the one the tests run on (Redis under REDIS_URL, as in CI; process memory otherwise), still
holding every page cached before the outage."""

import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone

from core.cache_versions import CacheEpoch
from pledges.models import Position
from pledges.services import progress as progress_services
from publicity import cache as page_cache
from publicity.services import notice as notice_services
from publicity.services import opinion as opinion_services
from reviews.models import Quarter
from reviews.selectors import dashboard as dashboard_selectors
from reviews.services import review as review_services
from tests.factories import (
    UserFactory,
    compose_notice,
    gps_jpeg,
    make_position,
    make_public_review,
    publish_notice,
)

NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def cache_down(settings):
    """`with cache_down():` runs its block with Redis unreachable."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = {
        "default": {
            "BACKEND": "core.cache.FaultTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }

    class Outage:
        def __enter__(self):
            self.back, settings.CACHES = settings.CACHES, down

        def __exit__(self, *exc):
            settings.CACHES = self.back

    return Outage


def _from_the_database(settings, read):
    """What `read()` gives with no cache at all."""
    back, settings.CACHES = settings.CACHES, NO_CACHE
    try:
        return read()
    finally:
        settings.CACHES = back


def _public_photo(w):
    """A photo on the branch's running pledge, made public (its derived copy is served)."""
    upload = SimpleUploadedFile("现场.jpg", gps_jpeg(200, 150), content_type="image/jpeg")
    record = progress_services.progress_add(
        pledge=w.running, by=w.secretary, date=timezone.localdate(), text="现场照片", files=[upload]
    )
    progress_services.progress_record_set_public(
        record=record, by=w.secretary, text=True, photos=True
    )
    return record.evidence.get()


def _public_urls(w, notices, opinion) -> list[str]:
    """Every cached public address of the branch (its page, feed and JSON first), its town's
    page, and each notice's."""
    org = w.branch.pk
    urls = [
        reverse("publicity:index"),
        reverse("publicity:organization", args=[org]),
        reverse("publicity:organization", args=[w.town.pk]),
        reverse("publicity:org_feed", args=[org]),
        reverse("publicity:org_json", args=[org]),
        reverse("publicity:print_org_poster", args=[org]),
        reverse("publicity:org_qr", args=[org]),
        reverse("publicity:org_qr_png", args=[org]),
        reverse("publicity:org_poster_png", args=[org]),
        reverse("publicity:photo", args=[org, _public_photo(w).pk]),
        reverse("publicity:pledge", args=[org, w.published.pk]),
        reverse("publicity:honours", args=[w.town.pk]),
        reverse("publicity:opinion", args=[org, opinion.pk]),
        reverse("publicity:opinion_sent", args=[org]),
    ]
    for n in notices:
        urls += [
            n.public_url(),
            reverse("publicity:print_notice_poster", args=[org, n.pk]),
            reverse("publicity:notice_qr", args=[org, n.pk]),
            reverse("publicity:notice_qr_png", args=[org, n.pk]),
            reverse("publicity:notice_poster_png", args=[org, n.pk]),
        ]
    return urls


def _cached_public_names() -> set[str]:
    """The publicity URL names whose view is wrapped in `cached_page` (every such wrapper runs
    the same code)."""
    wrapper = page_cache.cached_page(lambda request: HttpResponse()).__code__
    (publicity,) = [
        p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "publicity"
    ]
    return {
        p.name for p in publicity.url_patterns if getattr(p.callback, "__code__", None) is wrapper
    }


def test_it_puts_every_cached_public_page_through_the_outage(pub):
    # A new cached public page joins `_public_urls`, so the outage test covers it too.
    opinion = opinion_services.opinion_submit(
        organization=pub.branch,
        content=opinion_services.OpinionContent(text="建议增加路灯"),
        address="10.9.9.9",
    )
    notice = publish_notice(pub, compose_notice(pub))
    covered = {resolve(url).url_name for url in _public_urls(pub, [notice], opinion)}
    assert covered == _cached_public_names()


def test_it_serves_what_the_database_says_after_a_redis_outage(
    client, pub, settings, cache_down, django_capture_on_commit_callbacks
):
    w = pub
    withdrawn = publish_notice(w, compose_notice(w, title="将被撤回的亮诺公示"))
    corrected = publish_notice(w, compose_notice(w, title="将被更正的亮诺公示"))
    leader = UserFactory(username="leader_two")
    make_position(leader, w.branch, Position.Kind.LEADER_SUPERVISE)
    draft = make_public_review(w.branch, reviewer=leader, status="draft", scope="organization")
    opinion = opinion_services.opinion_publish(
        opinion=opinion_services.opinion_submit(
            organization=w.branch,
            content=opinion_services.OpinionContent(text="建议增加路灯"),
            address="10.9.9.9",
        ),
        by=w.secretary,
        version=1,
    )
    quarter = Quarter.current()
    urls = _public_urls(w, [withdrawn, corrected], opinion)
    before = {url: client.get(url).content for url in urls}
    dashboard_before = dashboard_selectors.dashboard(w.town, quarter)

    with cache_down(), django_capture_on_commit_callbacks(execute=True):
        notice_services.notice_withdraw(notice=withdrawn, by=w.secretary, reason="事项名称有误")
        new = notice_services.notice_correct(
            notice=corrected,
            by=w.secretary,
            note="只公示一项承诺",
            content=notice_services.NoticeContent(
                title="更正后的亮诺公示",
                intro="",
                starts_on=corrected.starts_on,
                ends_on=corrected.ends_on,
                sources=[f"pledge:{w.published.pk}"],
            ),
        )
        publish_notice(w, new)
        review_services.review_sign(review=draft, by=leader)
    assert CacheEpoch.objects.exists()  # the dropped bumps left their trace

    # Redis is back, with every page cached before the outage still in it.
    for url in [*urls, new.public_url()]:
        served = client.get(url)
        assert served.status_code == 200, url
        fresh = _from_the_database(settings, lambda url=url: client.get(url).content)
        assert served.content == fresh, url
    for url in (urls[1], urls[3], urls[4]):  # the organization's page, feed and JSON
        assert client.get(url).content != before[url], url
    withdrawn_page = client.get(withdrawn.public_url()).content.decode()
    assert "撤回原因" in withdrawn_page and "公示中" not in withdrawn_page
    feeds = client.get(urls[3]).content.decode() + client.get(urls[4]).content.decode()
    assert "将被撤回的亮诺公示" not in feeds and "更正后的亮诺公示" in feeds
    assert "本公示已更正" in client.get(corrected.public_url()).content.decode()

    dashboard = dashboard_selectors.dashboard(w.town, quarter)
    assert dashboard == _from_the_database(
        settings, lambda: dashboard_selectors.dashboard(w.town, quarter)
    )
    assert dashboard.total != dashboard_before.total


def test_it_keys_a_page_on_the_parameters_it_reads_only(client, pub, django_assert_num_queries):
    url = reverse("publicity:organization", args=[pub.branch.pk])
    first = client.get(f"{url}?utm=first")
    for n in range(20):
        with django_assert_num_queries(0):
            again = client.get(f"{url}?utm={n}&from=qr")
        assert again.content == first.content
    index = reverse("publicity:index")
    east = client.get(f"{index}?q=东街&utm=x").content.decode()
    with django_assert_num_queries(0):
        assert client.get(f"{index}?utm=y&q=东街").content.decode() == east
    assert "东街社区党支部" in east
    assert "东街社区党支部" not in client.get(f"{index}?q=西街").content.decode()


def test_it_gives_the_view_only_the_parameters_it_reads(rf):
    seen = {}

    @page_cache.cached_page
    def view(request):
        seen.update(path=request.get_full_path(), get=dict(request.GET.lists()))
        return HttpResponse("x")

    request = rf.get("/public/", {"utm": "x", "q": "东街"})
    request.LANGUAGE_CODE = "zh-hans"
    view(request)
    # The page stored under the key is the page the key names (a link back, a `next`).
    assert seen == {"path": "/public/?q=%E4%B8%9C%E8%A1%97", "get": {"q": ["东街"]}}


def test_it_stores_no_more_pages_than_one_address_may_fill(
    client, pub, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(page_cache, "FILLS_PER_MINUTE", 3)
    index = reverse("publicity:index")
    urls = [f"{index}?q=街{n}" for n in range(5)]
    for url in urls:
        assert client.get(url, REMOTE_ADDR="10.0.0.7").status_code == 200
    for url in urls[:3]:
        with django_assert_num_queries(0):
            client.get(url, REMOTE_ADDR="10.0.0.8")
    # Past the budget the page was answered, not kept; another address may still fill it.
    for url in urls[3:]:
        with django_assert_num_queries(1):
            assert client.get(url, REMOTE_ADDR="10.0.0.7").status_code == 200
    client.get(urls[4], REMOTE_ADDR="10.0.0.8")
    with django_assert_num_queries(0):
        client.get(urls[4], REMOTE_ADDR="10.0.0.7")


def test_it_counts_the_fills_of_each_client_behind_the_proxy(
    client, pub, settings, monkeypatch, django_assert_num_queries
):
    settings.TRUSTED_PROXY = True
    monkeypatch.setattr(page_cache, "FILLS_PER_MINUTE", 1)
    index = reverse("publicity:index")
    # Both come through the proxy (127.0.0.1); each citizen has a budget of his own.
    for n, citizen in enumerate(("1.2.3.4", "5.6.7.8")):
        client.get(f"{index}?q=镇{n}", HTTP_X_FORWARDED_FOR=citizen)
    for n in range(2):
        with django_assert_num_queries(0):
            client.get(f"{index}?q=镇{n}")


def test_it_keeps_a_page_with_a_query_briefly(client, pub, monkeypatch):
    # Every `?q=` is a new key: one address may not keep a day's worth of them in the cache.
    kept = {}
    real = page_cache.cache

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def set(self, key, value, timeout=None):
            kept[key] = timeout
            return real.set(key, value, timeout)

    monkeypatch.setattr(page_cache, "cache", Spy())
    index = reverse("publicity:index")
    client.get(index)
    client.get(f"{index}?q=东街")
    assert sorted(kept.values()) == [page_cache.QUERY_PAGE_SECONDS, page_cache.PAGE_SECONDS]


# The per-process copies in front of Redis (LocalPages): off in the other tests (conftest).


@pytest.fixture
def local_pages(settings):
    settings.PUBLIC_PAGE_LOCAL_SECONDS = 0.5
    page_cache.LOCAL.clear()
    yield page_cache.LOCAL
    page_cache.LOCAL.clear()


class _CacheSpy:
    """The cache, counting the reads that reach it."""

    def __init__(self, real):
        self.real, self.reads = real, 0

    def __getattr__(self, name):
        if name in ("get", "get_many"):
            self.reads += 1
        return getattr(self.real, name)


def test_it_serves_a_page_from_the_process_copy_without_reading_the_cache(
    client, pub, local_pages, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(local_pages, "clock", lambda: 1000.0)  # within the version window
    url = reverse("publicity:organization", args=[pub.branch.pk])
    first = client.get(url).content
    spy = _CacheSpy(page_cache.cache)
    monkeypatch.setattr(page_cache, "cache", spy)
    monkeypatch.setattr(page_cache.cache_versions, "cache", spy)
    with django_assert_num_queries(0):
        for _ in range(5):
            assert client.get(f"{url}?utm=x").content == first
    assert spy.reads == 0


def test_it_serves_a_withdrawn_notice_as_withdrawn_at_once_in_the_writing_process(
    client, pub, local_pages
):
    notice = publish_notice(pub, compose_notice(pub, title="将被撤回的亮诺公示"))
    assert "公示中" in client.get(notice.public_url()).content.decode()
    feed = reverse("publicity:org_feed", args=[pub.branch.pk])
    assert "将被撤回的亮诺公示" in client.get(feed).content.decode()
    notice_services.notice_withdraw(notice=notice, by=pub.secretary, reason="事项名称有误")
    page = client.get(notice.public_url()).content.decode()
    assert "撤回原因" in page and "公示中" not in page
    assert "将被撤回的亮诺公示" not in client.get(feed).content.decode()


def test_it_sees_another_process_bump_within_the_version_window(
    client, pub, local_pages, monkeypatch, django_assert_num_queries
):
    now = [1000.0]
    monkeypatch.setattr(local_pages, "clock", lambda: now[0])
    url = reverse("publicity:organization", args=[pub.branch.pk])
    client.get(url)
    # Another process's write: the version in the cache goes up, this process is not told.
    page_cache.cache_versions.bump([page_cache._org_key(pub.branch.pk)])
    now[0] += 0.4
    with django_assert_num_queries(0):
        client.get(url)  # the versions were read less than 0.5 s ago: the copy
    now[0] += 0.2
    with CaptureQueriesContext(connection) as queries:
        client.get(url)  # read again: a new key, the page comes from the database
    assert len(queries) > 0


def test_it_serves_no_copy_once_the_cache_cannot_say_the_versions(
    client, pub, local_pages, monkeypatch
):
    now = [1000.0]
    monkeypatch.setattr(local_pages, "clock", lambda: now[0])
    url = reverse("publicity:organization", args=[pub.branch.pk])
    client.get(url)
    now[0] += 0.6
    monkeypatch.setattr(page_cache.cache_versions, "versions", lambda keys: None)
    asked = []
    monkeypatch.setattr(local_pages, "get", lambda key: asked.append(key))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert asked == [] and len(queries) > 0  # no key: from the database, no copy asked


def test_it_keeps_the_copies_within_their_bytes_and_without_queries(
    client, pub, local_pages, monkeypatch
):
    monkeypatch.setattr(page_cache, "LOCAL_PAGES_BYTES", 100)
    local_pages.put("a", (b"x" * 10, "text/html"), 60)
    local_pages.put("b", (b"y" * 10, "text/html"), 60)
    local_pages.get("a")  # used: "b" is the oldest now
    for n in range(9):
        local_pages.put(f"c{n}", (b"z" * 10, "text/html"), 60)
    assert local_pages.get("a") is not None and local_pages.get("b") is None
    local_pages.put("big", (b"w" * 90, "text/html"), 60)  # more than an eighth: not copied
    assert local_pages.get("big") is None
    index = reverse("publicity:index")
    client.get(f"{index}?q=东街")  # a query page stays in Redis only (kept briefly there)
    assert all(not key.startswith("pub:page") for key in list(local_pages._pages))
