"""`manage.py send_reminders`: runs the registered rules and says what each did."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command, load_command_class

from core.notifications import reminders
from core.notifications.models import Mode, Notification
from core.notifications.services import NotificationItem, notification_preferences_save
from tests.factories import UserFactory


@pytest.fixture
def rules(monkeypatch, db):
    monkeypatch.setattr(reminders, "_RULES", {})
    with_email = UserFactory(email="a@example.cn")
    without = UserFactory(email="")
    # Email at once, not in the daily digest (its default): the run delivers it itself.
    for user in (with_email, without):
        notification_preferences_save(user=user, modes={"email": Mode.IMMEDIATE})

    def rule(day: datetime.date) -> list[NotificationItem]:
        return [
            NotificationItem(u.pk, "test_kind", "x", day.isoformat(), "提醒", link="/me/")
            for u in (with_email, without)
        ]

    reminders.register("test_kind", rule)
    reminders.register("test_quiet", lambda day: [])


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_it_prints_created_delivered_per_channel_and_skipped(rules, settings):
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.Email"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = run("--date", "2026-03-20")
    assert "提醒日期：2026-03-20" in out
    assert "[test_kind]" in out and "[test_quiet]" in out
    assert "新建通知 2 条，已存在 0 条" in out
    assert "投递 · 邮件：送达 1，失败 0，跳过 1" in out
    assert "仅在站内可见（没有经任何外部渠道送达）：1 条" in out
    assert "新建通知 0 条，已存在 2 条" in run("--date", "2026-03-20", "--kind", "test_kind")


def test_it_dry_runs(rules):
    out = run("--kind", "test_kind", "--date", "2026-03-20", "--dry-run")
    assert "试运行：应提醒 2 条，其中新建 2 条" in out
    assert Notification.objects.count() == 0


def test_it_refuses_an_unknown_kind_and_a_bad_date(rules):
    with pytest.raises(CommandError, match="没有这种提醒"):
        run("--kind", "nope")
    with pytest.raises(CommandError, match="日期格式"):
        run("--date", "2026-13-01")
    with pytest.raises(CommandError, match="日期格式"):
        run("--date", "2026-03-20\x00")


def test_it_lists_the_kinds_in_its_help(rules):
    command = load_command_class("core", "send_reminders")
    shown = command.create_parser("manage.py", "send_reminders").format_help()
    assert "test_kind" in shown and "test_quiet" in shown
