"""The daily digest: one message a day however many events, each event in one digest only."""

import datetime

import pytest

from core.notifications import digest, preferences, services
from core.notifications.models import Delivery, Digest, Mode, Preference

DAY = datetime.date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _email_digest_by_default(monkeypatch):
    monkeypatch.setattr(preferences, "DEFAULT_DIGEST", frozenset({"email"}))


def _events(make_item, user, n):
    return services.notifications_create_many(
        items=[
            make_item(user, f"pledge:{i}", kind="pledge_returned", period=str(i)) for i in range(n)
        ]
    )


def test_it_holds_email_for_the_digest_by_default(alice, make_item, mailoutbox):
    ids = [n.pk for n in _events(make_item, alice, 3)]
    assert services.notifications_deliver(ids=ids) == {"email": {}}
    assert mailoutbox == []
    assert not Delivery.objects.exists()


def test_it_sends_one_message_however_many_events(alice, make_item, mailoutbox):
    _events(make_item, alice, 3)
    assert digest.digests_send(day=DAY) == {"email": {"delivered": 1}}
    [message] = mailoutbox
    assert message.subject == "2026-12-07 通知汇总：3 条"
    assert message.body.count("· 本月尚未记实") == 3
    assert "https://pledges.example.cn/pledges/2/" in message.body
    assert "https://pledges.example.cn/notifications/" in message.body
    [(html, _mime)] = message.alternatives
    assert html.count("<li>") == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_it_sends_one_digest_a_day_however_often_it_runs(alice, make_item, mailoutbox):
    _events(make_item, alice, 2)
    digest.digests_send(day=DAY)
    _events(make_item, alice, 4)  # two new ones arrive after the day's digest
    assert digest.digests_send(day=DAY) == {"email": {}}
    assert len(mailoutbox) == 1
    digest.digests_send(day=DAY + datetime.timedelta(days=1))
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject.endswith("2 条")  # only what the first did not carry
    assert Digest.objects.filter(recipient=alice).count() == 2


def test_it_sends_at_once_to_who_chose_it(alice, make_item, mailoutbox):
    services.notification_preferences_save(user=alice, modes={"email": Mode.IMMEDIATE})
    ids = [n.pk for n in _events(make_item, alice, 2)]
    services.notifications_deliver(ids=ids)
    assert len(mailoutbox) == 2
    assert digest.digests_send(day=DAY) == {"email": {}}
    assert len(mailoutbox) == 2


def test_it_skips_who_has_no_address_and_keeps_it_in_the_app(bob, make_item, mailoutbox):
    _events(make_item, bob, 2)
    digest.digests_send(day=DAY)
    assert mailoutbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {"skipped"}


def test_it_tries_a_failed_digest_again(alice, make_item, mailoutbox, monkeypatch):
    _events(make_item, alice, 2)
    monkeypatch.setattr(
        "core.notifications.channels.Email.send", lambda self, messages: {None: "邮件服务器拒绝"}
    )
    assert digest.digests_send(day=DAY) == {"email": {"failed": 1}}
    assert Digest.objects.get().error == "邮件服务器拒绝"
    monkeypatch.undo()
    monkeypatch.setattr(preferences, "DEFAULT_DIGEST", frozenset({"email"}))
    assert digest.digests_send(day=DAY) == {"email": {"delivered": 1}}
    assert len(mailoutbox) == 1


def test_it_runs_as_the_beats_task(alice, make_item, mailoutbox):
    _events(make_item, alice, 1)
    assert digest.notifications_send_digest(DAY.isoformat()) == {"email": {"delivered": 1}}
    assert digest.notifications_send_digest(DAY.isoformat()) == {"email": {}}


def test_it_keeps_a_choice_row_only_off_the_default(alice):
    services.notification_preferences_save(user=alice, modes={"email": Mode.DIGEST})
    assert not Preference.objects.exists()
    services.notification_preferences_save(user=alice, modes={"email": Mode.IMMEDIATE})
    assert Preference.objects.get().mode == Mode.IMMEDIATE
    assert preferences.modes_of(alice, ["email"]) == {"email": Mode.IMMEDIATE}


def test_it_leaves_what_waits_for_the_digest_out_of_the_redelivery(alice, make_item, mailoutbox):
    _events(make_item, alice, 2)
    assert services.notifications_redeliver() == {"email": {}}
    assert mailoutbox == [] and not Delivery.objects.exists()
    digest.digests_send(day=DAY)
    assert len(mailoutbox) == 1
