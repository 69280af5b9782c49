"""The primary/replica router (config/db_router.py) and core.db: lag-tolerant reads go to the
replica alias (in tests a mirror of `default`: the same database through a second connection),
everything else and every write to the primary; a writer is pinned to the primary for a few
seconds; stream() pages a query by key when server-side cursors are off; analyse()."""

import json
import os
import subprocess
import sys
import time

import pytest
from django.contrib.auth.models import Group
from django.core import signing
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from core import db
from publicity import cache as public_cache
from tests.factories import make_org

BOTH = ["default", "replica"]


@db.lag_tolerant()
def _lag_tolerant_read(request):
    return HttpResponse(str(Group.objects.filter(name__startswith="t-").count()))


def _write(request):
    Group.objects.create(name=f"t-{time.monotonic_ns()}")
    return HttpResponse("ok")


def _read(request):
    return HttpResponse(str(Group.objects.filter(name__startswith="t-").count()))


urlpatterns = [
    path("t/lag/", _lag_tolerant_read),
    path("t/write/", _write),
    path("t/read/", _read),
]


@pytest.fixture
def replica(settings):
    settings.READ_REPLICA = True
    settings.ROOT_URLCONF = __name__
    return settings


class Counted:
    """Statements each alias ran inside the block."""

    def __enter__(self):
        self.contexts = {alias: CaptureQueriesContext(connections[alias]) for alias in BOTH}
        for context in self.contexts.values():
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts.values():
            context.__exit__(*exc)

    def __getitem__(self, alias: str) -> int:
        return len(self.contexts[alias].captured_queries)


@pytest.mark.django_db
def test_it_reads_the_primary_outside_a_lag_tolerant_block(replica):
    assert Group.objects.all().db == "default"
    assert router.db_for_read(Group) == "default"


@pytest.mark.django_db
def test_it_reads_the_replica_inside_a_lag_tolerant_block(replica):
    with db.lag_tolerant() as scope:
        assert Group.objects.all().db == "replica"
    assert scope.used_replica


@pytest.mark.django_db
def test_it_reads_the_primary_when_no_replica_is_configured(replica):
    replica.READ_REPLICA = False
    with db.lag_tolerant() as scope:
        assert Group.objects.all().db == "default"
    assert not scope.used_replica


@pytest.mark.django_db
def test_it_writes_to_the_primary_inside_a_lag_tolerant_block(replica):
    with db.lag_tolerant():
        assert router.db_for_write(Group) == "default"
        group = Group.objects.create(name="写")
    assert group._state.db == "default"


@pytest.mark.django_db
def test_it_reads_the_primary_inside_a_transaction(replica):
    with db.lag_tolerant(), transaction.atomic():
        assert Group.objects.all().db == "default"


@pytest.mark.django_db
def test_it_reads_the_primary_when_pinned(replica):
    with db.lag_tolerant(), db.pinned_to_primary():
        assert Group.objects.all().db == "default"


@pytest.mark.django_db
def test_it_marks_the_outer_block_when_an_inner_one_reads_the_replica(replica):
    with db.lag_tolerant() as outer:
        with db.lag_tolerant():
            Group.objects.all().db  # noqa: B018 (asks the router)
    assert outer.used_replica


@pytest.mark.django_db
def test_it_keeps_a_value_read_from_the_replica_briefly(replica):
    replica.REPLICA_CACHE_SECONDS = 60
    assert db.cache_seconds(3600) == 3600
    with db.lag_tolerant():
        assert db.cache_seconds(3600) == 3600  # nothing read from the replica yet
        Group.objects.all().db  # noqa: B018
        assert db.cache_seconds(3600) == 60
        assert db.cache_seconds(30) == 30


def test_it_never_migrates_the_replica():
    assert router.allow_migrate("default", "pledges")
    assert not router.allow_migrate("replica", "pledges")


# ---- through requests: the middleware's pin (data committed, so both connections see it) ----


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_it_pins_a_writer_to_the_primary_after_a_write(replica, client):
    response = client.post("/t/write/")
    assert db.PIN_COOKIE in response.cookies
    with Counted() as n:
        response = client.get("/t/lag/")
    assert response.content == b"1"  # his own write, read back at once
    assert (n["replica"], n["default"]) == (0, 1)


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_it_sends_everyone_else_to_the_replica(replica, client):
    client.post("/t/write/")
    other = type(client)()
    with Counted() as n:
        response = other.get("/t/lag/")
    assert response.content == b"1"  # the mirror is the same database
    assert (n["replica"], n["default"]) == (1, 0)


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_it_sets_no_pin_after_a_request_that_only_read(replica, client):
    response = client.get("/t/read/")
    assert db.PIN_COOKIE not in response.cookies
    with Counted() as n:
        client.get("/t/lag/")
    assert n["replica"] == 1


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_it_ignores_a_forged_pin(replica, client):
    client.cookies[db.PIN_COOKIE] = "1"
    with Counted() as n:
        client.get("/t/lag/")
    assert n["replica"] == 1


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_it_ignores_an_expired_pin(replica, client):
    replica.REPLICA_PIN_SECONDS = 5
    signer = signing.get_cookie_signer(salt=db.PIN_COOKIE + db.PIN_SALT)
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - 60)
    client.cookies[db.PIN_COOKIE] = signer.sign("1")
    with Counted() as n:
        client.get("/t/lag/")
    assert n["replica"] == 1


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_it_sets_no_pin_without_a_replica(replica, client):
    replica.READ_REPLICA = False
    response = client.post("/t/write/")
    assert db.PIN_COOKIE not in response.cookies


@pytest.mark.django_db(databases=BOTH, transaction=True)
def test_it_reads_a_public_page_from_the_replica(replica, client):
    replica.ROOT_URLCONF = "config.urls"
    org = make_org("东街社区党支部")
    with Counted() as n:
        response = client.get(reverse("publicity:organization", args=[org.pk]))
    assert response.status_code == 200
    assert n["replica"] > 0 and n["default"] == 0


class _Kept:
    """The cache as publicity.cache sees it, noting how long each page is kept."""

    def __init__(self, real):
        self.real, self.pages = real, []

    def __getattr__(self, name):
        return getattr(self.real, name)

    def set(self, key, value, timeout=None):
        if key.startswith("pub:page:"):
            self.pages.append(timeout)
        return self.real.set(key, value, timeout)


@pytest.mark.django_db(databases=BOTH, transaction=True)
@pytest.mark.parametrize("replica_on, kept", [(True, 60), (False, 24 * 3600)])
def test_it_caches_a_public_page_read_from_the_replica_briefly(
    replica, client, monkeypatch, replica_on, kept
):
    replica.ROOT_URLCONF = "config.urls"
    replica.READ_REPLICA = replica_on
    replica.REPLICA_CACHE_SECONDS = 60
    spy = _Kept(public_cache.cache)
    monkeypatch.setattr(public_cache, "cache", spy)
    org = make_org("东街社区党支部")
    client.get(reverse("publicity:organization", args=[org.pk]))
    assert spy.pages == [kept]


# ---- stream() and analyse() ---------------------------------------------------------------


@pytest.fixture
def no_server_side_cursors():
    settings_dict = connections["default"].settings_dict
    before = settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True
    yield
    settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = before


@pytest.mark.django_db
def test_it_pages_a_query_by_key_without_server_side_cursors(
    no_server_side_cursors, django_assert_num_queries
):
    Group.objects.bulk_create(Group(name=f"组{i}") for i in range(5))
    rows = Group.objects.filter(name__startswith="组").order_by("-name").values_list("name")
    with django_assert_num_queries(4):  # the keys, then 3 chunks of at most 2
        streamed = list(db.stream(rows, 2))
    assert streamed == list(rows)


@pytest.mark.django_db
def test_it_streams_one_query_with_server_side_cursors(django_assert_num_queries):
    connections["default"].settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False
    Group.objects.bulk_create(Group(name=f"组{i}") for i in range(5))
    rows = (
        Group.objects.filter(name__startswith="组").order_by("name").values_list("name", flat=True)
    )
    with django_assert_num_queries(1):
        assert list(db.stream(rows, 2)) == [f"组{i}" for i in range(5)]


@pytest.mark.django_db
def test_it_analyses_the_tables_on_postgresql_only():
    connection = connections["default"]
    with CaptureQueriesContext(connection) as ctx:
        db.analyse(Group, rows=5000)
    analysed = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]
    expected = ['ANALYZE "auth_group"'] if connection.vendor == "postgresql" else []
    assert analysed == expected


@pytest.mark.django_db
def test_it_leaves_a_small_write_to_autovacuum():
    with CaptureQueriesContext(connections["default"]) as ctx:
        db.analyse(Group, rows=10)
    assert ctx.captured_queries == []


# ---- settings from the environment ----------------------------------------------------------


def _settings_with(**env) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({a: {'host': d.get('HOST'), 'port': d.get('PORT'), "
        "'ssc_off': d.get('DISABLE_SERVER_SIDE_CURSORS')} for a, d in s.DATABASES.items()} "
        "| {'READ_REPLICA': s.READ_REPLICA}))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE")}
    done = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**keep, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_it_reads_the_replica_and_the_pooler_from_the_environment():
    found = _settings_with(
        DATABASE_URL="postgres://app@db1:6432/pledgebook",
        DATABASE_REPLICA_URL="postgres://app@db2:6432/pledgebook",
        DATABASE_POOLER="transaction",
    )
    assert found["default"] == {"host": "db1", "port": 6432, "ssc_off": True}
    assert found["replica"] == {"host": "db2", "port": 6432, "ssc_off": True}
    assert found["READ_REPLICA"] is True


def test_it_routes_nothing_away_without_a_replica_url():
    found = _settings_with(DATABASE_URL="postgres://app@db1:5432/pledgebook")
    assert found["replica"] == found["default"] == {"host": "db1", "port": 5432, "ssc_off": False}
    assert found["READ_REPLICA"] is False
