from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from core.notifications import reminders
from core.notifications.models import Notification
from pledges import demo
from pledges.management.commands.seed_demo import Command
from pledges.models import Member, Organization, Pledge, PledgeEvent, Position, ProgressRecord
from tests.factories import PledgeFactory, UserFactory, make_org

User = get_user_model()


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [Organization, Member, Pledge, PledgeEvent, ProgressRecord, Position, User]
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture(scope="class")
def _county_once(django_db_setup, django_db_blocker):
    # Built once for the class (it goes through the services, a few seconds), rolled back after;
    # each test still runs in its own savepoint through `db`. Other apps' demo hooks are left
    # out here: their data is theirs to test, and they would make this module slow.
    no_hooks = mock.patch.object(Command, "_demo_modules", lambda self: iter(()))
    fast_hash = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), fast_hash, no_hooks, transaction.atomic():
        yield seed()
        transaction.set_rollback(True)


@pytest.fixture
def county(_county_once, db) -> str:
    return _county_once


class TestCounty:
    """The demo county, built once for these tests."""

    def test_it_prints_a_login_for_every_role(self, county):
        for role in [
            "超级管理员",
            "党委办公室",
            "联系领导",
            "分管领导",
            "党委书记",
            "支部书记",
            "党员",
        ]:
            assert role in county, role
        for username in ["admin", "office", "leader_contact", "leader_supervise", "sec_chengguan"]:
            assert f"{username} " in county
        assert demo.PASSWORD in county

    def test_it_gives_working_logins_for_each_kind_of_user(self, county):
        for username in ["admin", "office", "leader_supervise", "sec_dongjie", "member_dongjie1"]:
            assert authenticate(username=username, password=demo.PASSWORD) is not None, username
        assert User.objects.get(username="admin").is_superuser
        assert Member.objects.filter(user__username="member_dongjie1").exists()

    def test_it_does_not_duplicate_anything_on_a_second_run(self, county):
        before = counts()
        second = seed()
        assert counts() == before
        assert "已存在" in second
        assert "leader_contact" in second

    def test_it_has_pledges_in_every_status_with_their_history(self, county):
        statuses = set(Pledge.objects.values_list("status", flat=True))
        assert statuses == set(Pledge.Status.values)
        closed = Pledge.objects.filter(status=Pledge.Status.CLOSED).first()
        actions = list(closed.events.values_list("action", flat=True))
        assert actions[:4] == ["create", "submit", "approve", "publish"]
        assert actions[-1] == "close"
        assert closed.progress_records.exists()
        assert Pledge.objects.overdue().exists()
        assert Pledge.objects.filter(carried_from__isnull=False).exists()

    def test_it_leaves_todays_reminders_in_the_bell(self, county):
        today = timezone.localdate()
        due = {i.key for k in reminders.kinds() for i in reminders.reminders_due(kind=k, day=today)}
        assert "今日提醒：新建站内通知" in county
        assert "今日汇总：发出" in county  # the digest of the day, into the outbox
        assert Notification.objects.count() == len(due)
        # Whatever today is, the 25th of this month reminds the members who have not recorded.
        assert reminders.reminders_due(kind="monthly_progress", day=today.replace(day=25))

    def test_it_fills_branches_with_every_kind_of_member_and_leaves_gaps(self, county):
        assert set(Member.objects.values_list("kind", flat=True)) == set(Member.Kind.values)
        assert Member.objects.filter(probationary=True).exists()
        assert Member.objects.filter(pledges__isnull=True).exists()  # 全覆盖 gaps to find
        fields = set(Organization.objects.values_list("field", flat=True))
        assert {
            "rural",
            "community",
            "school",
            "medical",
            "government",
            "state_enterprise",
        } <= fields
        assert Organization.objects.filter(level=Organization.Level.GROUP).count() == 2
        assert Organization.objects.find_problems() == ([], [], [], [], [])


@pytest.fixture
def pledges_only(monkeypatch):
    monkeypatch.setattr(Command, "_demo_modules", lambda self: iter(()))


def test_it_builds_a_valid_scaled_down_city(db, pledges_only):
    out = seed(branches=40)
    plan = demo.CityPlan.scaled(40)
    root = demo.city_root()
    subtree = Organization.objects.subtree_of(root)
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert subtree.filter(level=Organization.Level.BRANCH).count() == 40
    committees = subtree.filter(
        level__in=[Organization.Level.COMMITTEE, Organization.Level.WORK_COMMITTEE]
    )
    assert committees.count() == plan.committees
    assert Member.objects.filter(organization__in=subtree).count() == plan.members
    assert Pledge.objects.filter(owner_org__in=subtree).count() == plan.pledges
    assert set(Pledge.objects.values_list("status", flat=True)) == set(Pledge.Status.values)
    closed = Pledge.objects.filter(status=Pledge.Status.CLOSED).first()
    assert list(closed.events.values_list("action", flat=True)) == [
        "create",
        "submit",
        "approve",
        "publish",
        "close",
    ]
    assert "city_office" in out


def test_it_gives_the_city_logins_and_monthly_progress(db, pledges_only):
    out = seed(branches=20)
    root = demo.city_root()
    branches = Organization.objects.subtree_of(root).filter(level=Organization.Level.BRANCH)
    secretaries = Position.objects.filter(organization__in=branches, kind=Position.Kind.SECRETARY)
    assert secretaries.values("organization").distinct().count() == branches.count()
    members = Member.objects.filter(organization__in=branches)
    assert members.filter(user__isnull=False).count() > 0.75 * members.count()
    assert not User.objects.filter(email="").exclude(username="admin").exists()
    assert User.objects.values("password").distinct().count() == 1  # one hash for all
    assert authenticate(username=secretaries.first().user.username, password=demo.PASSWORD)
    running = Pledge.objects.filter(status=Pledge.Status.IN_PROGRESS, published_at__isnull=False)
    months = {r.date.month for r in ProgressRecord.objects.filter(pledge__in=running)}
    assert len(months) >= min(3, timezone.localdate().month - 1)
    closed = Pledge.objects.filter(status=Pledge.Status.CLOSED)
    assert not closed.filter(progress_records__isnull=True).exists()
    assert "另有" in out  # the printed list samples each role


def test_it_keeps_treebeard_working_on_a_bulk_built_city(db, pledges_only):
    seed(branches=20)
    committee = Organization.objects.filter(level=Organization.Level.WORK_COMMITTEE).last()
    make_org("新建社区党支部", committee)
    county = make_org("新建县委")
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    assert county.depth == 1


def test_it_builds_the_city_only_once(db, pledges_only):
    seed(branches=10)
    before = counts()
    assert "已存在" in seed(branches=10)
    assert counts() == before


def test_it_runs_every_other_apps_demo_hook(db, monkeypatch):
    calls = []
    monkeypatch.setattr("reviews.demo.seed", lambda **kw: calls.append(kw["scale"]))
    seed(branches=5)
    assert calls == ["small"]


def test_it_resets_and_rebuilds(db, pledges_only):
    seed()
    before = counts()
    assert "已删除原有演示数据" in seed(reset=True)
    assert counts() == before


def test_it_refuses_a_reset_that_would_delete_other_data(db, pledges_only):
    seed(branches=5)
    elsewhere = make_org("其他党委")
    PledgeFactory(owner_org=elsewhere, created_by=User.objects.get(username="city_office"))
    before = counts()
    with pytest.raises(CommandError, match="无法重置"):
        seed(branches=5, reset=True)
    assert counts() == before


def test_it_refuses_the_county_when_a_demo_username_is_taken(db, pledges_only):
    UserFactory(username="office")
    with pytest.raises(CommandError, match="office"):
        seed()
    assert not Organization.objects.exists()


def test_it_encodes_path_steps_like_treebeard():
    assert demo.encode_step(1) == "0001"
    assert demo.encode_step(36) == "0010"
    assert demo.encode_step(36**4 - 1) == "ZZZZ"


def test_it_builds_a_province_of_three_cities_below_its_root(db, pledges_only):
    root, created = demo.build_province(branches=12)
    assert created
    assert root.is_root() and root.name == demo.PROVINCE_NAME
    cities = demo.province_cities(root)
    assert [c.name for c in cities] == [spec.name for spec in demo.PROVINCE_CITIES]
    assert {c.depth for c in cities} == {root.depth + 1}
    assert all(c.path.startswith(root.path) for c in cities)
    assert Organization.objects.find_problems() == ([], [], [], [], [])
    plan = demo.CityPlan.scaled(12)
    for city in cities:
        subtree = Organization.objects.subtree_of(city)
        assert subtree.filter(level=Organization.Level.BRANCH).count() == 12
        assert Pledge.objects.filter(owner_org__in=subtree).count() == plan.pledges
    # Each city its own logins: distinct usernames, every one a single row.
    offices = Position.objects.filter(kind=Position.Kind.OFFICE, organization__in=cities)
    assert sorted(offices.values_list("user__username", flat=True)) == [
        "city_office",
        "lh_city_office",
        "yz_city_office",
    ]
    assert User.objects.filter(username__startswith="yz0").exists()
    assert User.objects.filter(username__startswith="lh0").exists()
    assert Position.objects.filter(
        organization=root, kind=Position.Kind.OFFICE, user__username="province_office"
    ).exists()
    assert demo.build_province(branches=12) == (root, False)


def test_it_seeds_the_reviews_of_every_city_of_the_province(db, pledges_only):
    from reviews.demo import seed as seed_reviews  # noqa: PLC0415 - the hook under test
    from reviews.models import Review  # noqa: PLC0415

    root, _created = demo.build_province(branches=6)
    seed_reviews(scale="province", stdout=StringIO())
    for city in demo.province_cities(root):
        assert Review.objects.filter(organization__path__startswith=city.path).exists()
