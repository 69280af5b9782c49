import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from config.celery import app
from pledges import tasks
from pledges.models import Pledge, Reminder
from pledges.services import reminders


@pytest.fixture
def emails(world):
    for user in (world.member_user, world.secretary):
        user.email = f"{user.username}@example.cn"
        user.save()


def test_it_reminds_a_member_with_no_record_this_month_once(world, emails, pledge_in):
    pledge_in("published", world)
    assert reminders.reminders_send_monthly_progress() == 1
    assert mail.outbox[0].to == ["member@example.cn"]
    assert "本月尚未记实" in mail.outbox[0].body
    assert reminders.reminders_send_monthly_progress() == 0
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_it_does_not_remind_who_has_recorded_this_month(world, emails, pledge_in):
    pledge_in("in_progress", world)
    assert reminders.reminders_send_monthly_progress() == 0


def test_it_tells_the_secretary_about_overdue_pledges_once(world, emails, pledge_in):
    pledge = pledge_in("published", world)
    Pledge.objects.filter(pk=pledge.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    assert reminders.reminders_send_overdue() == 1
    assert mail.outbox[0].to == ["secretary@example.cn"]
    assert reminders.reminders_send_overdue() == 0


def test_it_retries_a_reminder_whose_mail_failed(world, emails, monkeypatch, pledge_in):
    pledge_in("published", world)

    def broken(*args, **kwargs):
        raise OSError("smtp down")

    monkeypatch.setattr(reminders, "send_mail", broken)
    assert reminders.reminders_send_monthly_progress() == 0
    monkeypatch.undo()
    assert reminders.reminders_send_monthly_progress() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_task_on_a_real_worker(world, emails, settings, pledge_in):
    """Through the configured broker: Redis when REDIS_URL is set (CI), memory otherwise."""

    pledge_in("published", world)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            tasks.send_monthly_progress_reminders.delay()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if Reminder.objects.filter(sent_at__isnull=False).exists():
                    break
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert Reminder.objects.filter(sent_at__isnull=False).count() == 1


def test_it_mails_a_reminder_claimed_by_an_overlapping_run_only_once(world, emails, pledge_in):
    pledge_in("published", world)
    reminders.reminders_send_monthly_progress()
    reminder = Reminder.objects.get()
    assert reminders._deliver(reminder) is False  # the second run finds it claimed
    assert len(mail.outbox) == 1
