"""Cached subtree counts: shared while nothing changes, fresh after any pledge under it changes."""

import socket

from django.core.cache import cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pledges import counts
from pledges.models import Member, Organization, Pledge, Position
from pledges.selectors import organization as selectors
from pledges.services import pledge as services
from tests.factories import MemberFactory, PledgeFactory, UserFactory, make_org, make_position

S = Pledge.Status


def _town_counts(client, world):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/org/{world.town.pk}/")
    return response.context["counts"], len(ctx.captured_queries)


def test_it_answers_a_second_request_from_the_cache(world, client, pledge_in):
    cache.clear()
    pledge_in("in_progress", world)
    client.force_login(world.office)
    first, queries = _town_counts(client, world)
    again, fewer = _town_counts(client, world)
    assert again == first
    assert fewer == queries - 1


def test_it_counts_again_after_a_pledge_changes(world, client, pledge_in):
    pledge = pledge_in("in_progress", world)
    client.force_login(world.office)
    assert _town_counts(client, world)[0][S.IN_PROGRESS] == 1
    services.pledge_close(pledge=pledge, by=world.secretary, result="已完成")
    now, _queries = _town_counts(client, world)
    assert now[S.IN_PROGRESS] == 0
    assert now[S.CLOSED] == 1


def test_it_counts_again_after_a_pledge_is_deleted(world, client, pledge_in):
    pledge = pledge_in("in_progress", world)
    client.force_login(world.office)
    assert _town_counts(client, world)[0][S.IN_PROGRESS] == 1
    Pledge.objects.filter(pk=pledge.pk).get().delete()
    assert _town_counts(client, world)[0][S.IN_PROGRESS] == 0


def test_it_keeps_counts_apart_for_users_who_see_different_pledges(world, client, pledge_in):
    pledge_in("draft", world, member=False)
    client.force_login(world.office)
    assert _town_counts(client, world)[0][S.DRAFT] == 0  # the office sees filed pledges only
    town_secretary = UserFactory(username="town_secretary")
    make_position(town_secretary, world.town, Position.Kind.SECRETARY)
    client.force_login(town_secretary)
    assert _town_counts(client, world)[0][S.DRAFT] == 1


def test_it_bumps_every_organization_above_a_path(world):
    town_key = counts._version_key(world.town.path)
    counts._version(world.town.path)
    before = cache.get(town_key)
    counts.bump_paths([world.branch.path])
    assert cache.get(town_key) != before


def test_it_restarts_an_evicted_version_from_the_clock(world):
    key = counts._version_key(world.town.path)
    cache.delete(key)
    assert counts._version(world.town.path) > 10**15


def test_it_counts_again_after_a_member_joins(world):
    counts._version(world.town.path)
    before = cache.get(counts._version_key(world.town.path))
    MemberFactory(name="新党员", organization=world.branch)
    assert cache.get(counts._version_key(world.town.path)) != before


def test_it_keeps_a_count_briefly_in_a_per_process_cache(world, client, settings, monkeypatch):
    # The embedded default's cache, whatever this run's CACHES (Redis in CI).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    stored = []
    real_set = LocMemCache.set

    def remember(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if key.startswith("pledges:counts:"):
            stored.append(timeout)
        return real_set(self, key, value, timeout, version)

    monkeypatch.setattr(LocMemCache, "set", remember)
    cache.clear()
    client.force_login(world.office)
    _town_counts(client, world)
    assert stored == [counts.LOCAL_COUNTS_SECONDS]


def _counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_it_keeps_a_tagged_value_while_other_tags_change(world):
    calls, compute = _counter()
    assert counts.cached_value(world.town, "x", compute, tags=["a"]) == 1
    counts.bump_paths([world.branch.path], tags=["b"])
    assert counts.cached_value(world.town, "x", compute, tags=["a"]) == 1
    counts.bump_paths([world.branch.path], tags=["a"])
    assert counts.cached_value(world.town, "x", compute, tags=["a"]) == 2


def test_it_stales_every_tagged_value_on_a_write_that_names_no_tag(world):
    calls, compute = _counter()
    counts.cached_value(world.town, "x", compute, tags=["a"])
    counts.bump_paths([world.branch.path])  # an organization, a bulk import
    assert counts.cached_value(world.town, "x", compute, tags=["a"]) == 2


def test_it_stales_an_untagged_value_on_any_write(world):
    calls, compute = _counter()
    counts.cached_value(world.town, "x", compute)
    counts.bump_paths([world.branch.path], tags=["b"])
    assert counts.cached_value(world.town, "x", compute) == 2


def test_it_tags_a_pledge_and_a_member_write(world, pledge_in):
    calls, compute = _counter()
    counts.cached_value(world.town, "x", compute, tags=[counts.PLEDGES])
    MemberFactory(name="新党员", organization=world.branch)
    assert counts.cached_value(world.town, "x", compute, tags=[counts.PLEDGES]) == 1
    pledge_in("in_progress", world)
    assert counts.cached_value(world.town, "x", compute, tags=[counts.PLEDGES]) == 2


def test_it_counts_again_only_the_child_a_pledge_was_saved_under(world, client, pledge_in):
    pledge_in("in_progress", world)
    PledgeFactory(
        owner_member=world.other_member, status=S.PUBLISHED, year=timezone.localdate().year
    )
    client.force_login(world.office)
    cache.clear()
    before, _queries = _town_counts(client, world)
    pledge_in("in_progress", world)  # under 东街 only
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/org/{world.town.pk}/")
    counted = [q["sql"] for q in ctx.captured_queries if "SUBSTR" in q["sql"]]
    assert len(counted) == 1
    assert world.branch.path in counted[0]
    assert world.other_branch.path not in counted[0]
    after = response.context["counts"]
    assert after[S.IN_PROGRESS] == before[S.IN_PROGRESS] + 1
    assert after[S.PUBLISHED] == before[S.PUBLISHED]
    rows = dict((child.pk, c) for child, c in response.context["children_page"])
    assert rows[world.other_branch.pk][S.PUBLISHED] == 1


def test_it_stales_the_branch_a_member_left_as_well(world):
    counts._version(world.branch.path)
    left = cache.get(counts._version_key(world.branch.path))
    member = Member.objects.get(pk=world.member.pk)
    member.organization = world.other_branch
    member.save()
    assert cache.get(counts._version_key(world.branch.path)) != left


def test_it_stales_every_count_of_every_tree_at_once(world):
    calls, compute = _counter()
    counts.cached_value(world.branch, "x", compute, tags=["a"])
    counts.bump_everything()
    assert counts.cached_value(world.branch, "x", compute, tags=["a"]) == 2


def test_it_asks_afresh_whether_a_root_is_the_only_tree(world):
    root = Organization.objects.get(pk=world.county.pk)
    assert selectors.is_whole_tree(root) == (Organization.objects.get_root_nodes().count() == 1)
    make_org("另一个县委", level=Organization.Level.COMMITTEE)
    assert not selectors.is_whole_tree(Organization.objects.get(pk=world.county.pk))


def _unreachable_cache() -> dict:
    with socket.socket() as s:  # a local port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return {
        "default": {
            "BACKEND": "core.cache.FaultTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_it_counts_what_changed_during_a_redis_outage_once_redis_is_back(
    world, client, settings, pledge_in, django_capture_on_commit_callbacks
):
    pledge = pledge_in("in_progress", world)
    client.force_login(world.office)
    assert _town_counts(client, world)[0][S.IN_PROGRESS] == 1
    back, settings.CACHES = settings.CACHES, _unreachable_cache()
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_close(pledge=pledge, by=world.secretary, result="已完成")
    assert _town_counts(client, world)[0][S.CLOSED] == 1  # counted, not kept
    settings.CACHES = back  # still holding the count from before the outage
    now, _queries = _town_counts(client, world)
    assert now[S.IN_PROGRESS] == 0 and now[S.CLOSED] == 1


def test_it_keeps_no_count_while_the_cache_does_not_answer(world, settings):
    settings.CACHES = _unreachable_cache()
    calls, compute = _counter()
    assert counts.cached_value(world.town, "x", compute) == 1
    assert counts.cached_value(world.town, "x", compute) == 2
