"""The reminder registry and its task, with a fake rule (core knows no domain)."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, connections
from django.utils import timezone

from core.notifications import reminders
from core.notifications.models import Notification
from core.notifications.services import NotificationItem
from tests.core.notifications import fakes
from tests.factories import UserFactory

RECORDER = "tests.core.notifications.fakes.Recorder"
SHANGHAI_20TH_AT_1AM = datetime.datetime(2026, 3, 19, 17, 0, tzinfo=datetime.UTC)


@pytest.fixture
def fake_rule(monkeypatch):
    """Registers kind "test_monthly": every given user, on and after the 20th."""
    monkeypatch.setattr(reminders, "_RULES", {})
    users: list = []
    days: list[datetime.date] = []

    def rule(day: datetime.date) -> list[NotificationItem]:
        days.append(day)
        if day.day < 20:
            return []
        return [
            NotificationItem(
                recipient_id=u.pk,
                kind="test_monthly",
                subject_key=f"u:{u.pk}",
                period=f"{day:%Y-%m}",
                title="请记实",
                link="/me/",
            )
            for u in users
        ]

    reminders.register("test_monthly", rule)
    rule.users, rule.days = users, days
    return rule


def test_it_lists_registered_kinds(fake_rule):
    assert reminders.kinds() == ["test_monthly"]


def test_it_refuses_a_second_rule_for_a_kind(fake_rule):
    reminders.register("test_monthly", fake_rule)  # the same rule again: harmless
    with pytest.raises(ImproperlyConfigured):
        reminders.register("test_monthly", lambda day: [])


def test_it_refuses_an_unknown_kind(fake_rule):
    with pytest.raises(LookupError):
        reminders.reminders_due(kind="nope", day=datetime.date(2026, 3, 20))


def test_it_refuses_items_of_another_kind(fake_rule, alice):
    reminders.register(
        "test_other",
        lambda day: [NotificationItem(alice.pk, "test_monthly", "x", "p", "标题")],
    )
    with pytest.raises(ValueError):
        reminders.reminders_due(kind="test_other", day=datetime.date(2026, 3, 20))


def test_it_sends_once_however_often_it_runs(fake_rule, alice):
    fake_rule.users.append(alice)
    day = datetime.date(2026, 3, 20)
    assert reminders.reminders_send(kind="test_monthly", day=day).created == 1
    again = reminders.reminders_send(kind="test_monthly", day=day)
    assert (again.created, again.existing) == (0, 1)
    assert len(mail.outbox) == 1


def test_it_reaches_the_app_without_an_email_address(fake_rule, bob):
    fake_rule.users.append(bob)
    report = reminders.reminders_send(kind="test_monthly", day=datetime.date(2026, 3, 20))
    assert report.in_app_only == 1
    assert mail.outbox == []
    assert Notification.objects.get().recipient == bob


def test_it_dry_runs_without_writing(fake_rule, alice, bob):
    fake_rule.users.extend([alice, bob])
    day = datetime.date(2026, 3, 20)
    reminders.reminders_send(kind="test_monthly", day=day)
    fake_rule.users.append(UserFactory())
    dry = reminders.reminders_dry_run(kind="test_monthly", day=day)
    assert (dry.due, dry.new) == (3, 1)
    assert Notification.objects.count() == 2
    assert "新建 1 条" in dry.lines()[0]


def test_its_task_runs_the_rule_for_today_in_shanghai(fake_rule, alice, monkeypatch):
    fake_rule.users.append(alice)
    # 01:00 on the 20th in Shanghai is still the 19th in UTC.
    monkeypatch.setattr(timezone, "now", lambda: SHANGHAI_20TH_AT_1AM)
    assert reminders.send_reminders.delay("test_monthly").get() == 1
    assert fake_rule.days == [datetime.date(2026, 3, 20)]
    assert reminders.send_reminders.delay("test_monthly", "2026-03-20").get() == 0


def test_its_task_retries_on_a_transient_database_error():
    assert reminders.send_reminders.autoretry_for == reminders.TRANSIENT_ERRORS
    assert reminders.send_reminders.retry_backoff


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: run on PostgreSQL (CI)"
)
@pytest.mark.django_db(transaction=True)
def test_it_sends_once_when_two_beats_run_at_once(fake_rule, settings):
    settings.NOTIFICATION_CHANNELS = [RECORDER]
    fake_rule.users.extend(UserFactory() for _ in range(200))
    created: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait()
            day = datetime.date(2026, 3, 20)
            created.append(reminders.reminders_send(kind="test_monthly", day=day).created)
        except BaseException as e:  # reported below, from the main thread
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(created) == 200
    assert len(fakes.Recorder.sent) == 200
    assert len({pk for pk, _ in fakes.Recorder.sent}) == 200
