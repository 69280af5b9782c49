import datetime
import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.notifications import selectors, services
from core.notifications.models import Delivery, Notification
from tests.core.notifications import fakes
from tests.factories import UserFactory

RECORDER = "tests.core.notifications.fakes.Recorder"


def _queries(fn) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


# --- notifications_create_many ----------------------------------------------------------------


def test_it_creates_each_notification_once(alice, bob, make_item):
    items = [make_item(alice), make_item(bob)]
    first = services.notifications_create_many(items=items)
    assert [n.recipient_id for n in first] == [alice.pk, bob.pk]
    assert services.notifications_create_many(items=items) == []
    assert Notification.objects.count() == 2


def test_it_returns_only_the_new_ones_of_a_mixed_run(alice, bob, make_item):
    services.notifications_create_many(items=[make_item(alice)])
    new = services.notifications_create_many(items=[make_item(alice), make_item(bob)])
    assert [n.recipient_id for n in new] == [bob.pk]


def test_it_keeps_one_of_two_equal_items_in_one_run(alice, make_item):
    new = services.notifications_create_many(items=[make_item(alice), make_item(alice)])
    assert len(new) == 1


def test_it_tells_the_same_subject_again_in_another_period(alice, make_item):
    services.notifications_create_many(items=[make_item(alice, period="2026-11")])
    new = services.notifications_create_many(items=[make_item(alice, period="2026-12")])
    assert len(new) == 1


def test_it_cuts_a_long_title_and_drops_nul_bytes(alice, make_item):
    [n] = services.notifications_create_many(
        items=[make_item(alice, title="长" * 500, body="a\x00b")]
    )
    n.refresh_from_db()
    assert len(n.title) == 200 and n.title.endswith("…")
    assert n.body == "ab"


@pytest.mark.parametrize(
    "change",
    [
        {"kind": ""},
        {"subject": "x" * 101},
        {"period": "2026\x00"},
        {"title": "  "},
        {"link": "https://evil.example/"},
        {"link": "//evil.example/"},
        {"link": "/a b/"},
    ],
)
def test_it_refuses_a_bad_item_and_writes_nothing(alice, make_item, change):
    subject = change.pop("subject", "pledge:1")
    with pytest.raises(ValueError):
        services.notifications_create_many(
            items=[make_item(alice, "pledge:2"), make_item(alice, subject, **change)]
        )
    assert Notification.objects.count() == 0


def test_it_inserts_in_batches_not_row_by_row(db, make_item):
    users = [UserFactory() for _ in range(100)]
    one = _queries(lambda: services.notifications_create_many(items=[make_item(users[0])]))
    many = _queries(
        lambda: services.notifications_create_many(items=[make_item(u, "pledge:2") for u in users])
    )
    # SQLite takes 99 rows a statement (999 parameters), PostgreSQL all 100 in one: apart
    # from that split, 100 items cost what one does.
    assert len([q for q in many if q.startswith("INSERT")]) <= 2
    assert len([q for q in many if not q.startswith("INSERT")]) == len(
        [q for q in one if not q.startswith("INSERT")]
    )


def test_it_skips_the_insert_on_a_second_run(alice, bob, make_item):
    items = [make_item(alice), make_item(bob)]
    services.notifications_create_many(items=items)
    queries = _queries(lambda: services.notifications_create_many(items=items))
    assert not [q for q in queries if q.startswith("INSERT")]


def test_it_relies_on_the_constraint_beyond_the_shortcut_window(alice, make_item):
    services.notifications_create_many(items=[make_item(alice)])
    Notification.objects.update(created_at=timezone.now() - services.SHORTCUT_WINDOW * 2)
    assert services.notifications_create_many(items=[make_item(alice)]) == []
    assert Notification.objects.count() == 1


def test_it_drops_the_cached_unread_count_of_each_recipient(alice, make_item):
    assert selectors.unread_count(alice) == 0
    services.notifications_create_many(items=[make_item(alice)])
    assert selectors.unread_count(alice) == 1


# --- notifications_deliver ----------------------------------------------------------------------


def test_it_emails_a_notification_once(alice, make_item):
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    assert services.notifications_deliver(ids=ids) == {
        "email": {"delivered": 1, "skipped": 0, "failed": 0}
    }
    assert services.notifications_deliver(ids=ids) == {
        "email": {"delivered": 0, "skipped": 0, "failed": 0}
    }
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.cn"]
    assert mail.outbox[0].subject == "本月尚未记实"
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status) == ("email", "delivered")


def test_it_keeps_a_notification_without_address_in_the_app_and_counts_it(alice, bob, make_item):
    ids = [
        n.pk for n in services.notifications_create_many(items=[make_item(alice), make_item(bob)])
    ]
    outcome = services.notifications_deliver(ids=ids)
    assert outcome["email"]["skipped"] == 1
    delivery = Delivery.objects.get(notification__recipient=bob)
    assert delivery.status == "skipped" and delivery.error == "没有邮箱地址"
    assert selectors.unread_count(bob) == 1
    assert selectors.undelivered_count() == 1
    assert len(mail.outbox) == 1


def test_it_leaves_everything_in_the_app_when_no_channel_is_configured(alice, make_item, settings):
    settings.NOTIFICATION_CHANNELS = []
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    assert services.notifications_deliver(ids=ids) == {}
    assert selectors.undelivered_count() == 1
    assert not Delivery.objects.exists()


def test_it_retries_a_failed_delivery_without_resending_the_delivered(
    alice, bob, make_item, settings
):
    settings.NOTIFICATION_CHANNELS = [RECORDER]
    fakes.Recorder.failing = {"bob"}
    ids = [
        n.pk for n in services.notifications_create_many(items=[make_item(alice), make_item(bob)])
    ]
    assert services.notifications_deliver(ids=ids)["recorder"] == {
        "delivered": 1,
        "skipped": 0,
        "failed": 1,
    }
    failed = Delivery.objects.get(notification__recipient=bob)
    assert (failed.status, failed.error, failed.attempts) == ("failed", "网关拒绝", 1)

    fakes.Recorder.failing = set()
    assert services.notifications_redeliver()["recorder"]["delivered"] == 1
    assert [address for _pk, address in fakes.Recorder.sent] == ["alice", "bob"]
    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.attempts) == ("delivered", "", 2)
    assert services.notifications_redeliver() == {"recorder": {}}


def test_it_gives_up_after_the_last_attempt(alice, make_item, settings):
    settings.NOTIFICATION_CHANNELS = [RECORDER]
    fakes.Recorder.failing = {"alice"}
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    services.notifications_deliver(ids=ids)
    for _ in range(10):
        services.notifications_redeliver()
    assert Delivery.objects.get().attempts == services.MAX_ATTEMPTS
    assert selectors.undelivered_count() == 1


def test_it_takes_over_the_claim_of_a_run_that_died(alice, make_item, settings):
    settings.NOTIFICATION_CHANNELS = ["tests.core.notifications.fakes.Exploding"]
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    with pytest.raises(RuntimeError):
        services.notifications_deliver(ids=ids)
    claim = Delivery.objects.get()
    assert claim.status == "sending"

    recorder = fakes.Recorder()
    recorder.name = "exploding"  # the same channel, now working
    services.notifications_deliver(ids=ids, channels=[recorder])
    assert fakes.Recorder.sent == []  # a fresh claim may still be sending: left alone

    Delivery.objects.update(at=timezone.now() - services.STALE_CLAIM - datetime.timedelta(1))
    services.notifications_redeliver(channels=[recorder])
    assert fakes.Recorder.sent == [(ids[0], "alice")]
    assert Delivery.objects.get().status == "delivered"


def test_it_lets_a_stale_claim_outlast_any_task(settings):
    assert services.STALE_CLAIM.total_seconds() > settings.CELERY_TASK_TIME_LIMIT


def test_it_delivers_what_a_lost_task_never_tried(alice, make_item):
    services.notifications_create_many(items=[make_item(alice)])
    assert services.notifications_redeliver() == {
        "email": {"delivered": 1, "skipped": 0, "failed": 0}
    }
    assert len(mail.outbox) == 1


def test_it_does_not_retry_what_is_older_than_the_window(alice, make_item):
    services.notifications_create_many(items=[make_item(alice)])
    Notification.objects.update(created_at=timezone.now() - services.RETRY_WINDOW * 2)
    services.notifications_redeliver()
    assert mail.outbox == []


def test_it_delivers_on_every_channel_once(alice, make_item, settings):
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.Email", RECORDER]
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    services.notifications_deliver(ids=ids)
    services.notifications_deliver(ids=ids)
    assert len(mail.outbox) == 1 and len(fakes.Recorder.sent) == 1
    assert sorted(Delivery.objects.values_list("channel", "status")) == [
        ("email", "delivered"),
        ("recorder", "delivered"),
    ]


def test_it_delivers_a_batch_with_the_queries_of_one(db, make_item, settings):
    settings.NOTIFICATION_CHANNELS = ["core.notifications.channels.Email", RECORDER]
    users = [UserFactory(email=f"u{i}@example.cn") for i in range(100)]
    one = [n.pk for n in services.notifications_create_many(items=[make_item(users[0])])]
    many = [
        n.pk
        for n in services.notifications_create_many(items=[make_item(u, "pledge:2") for u in users])
    ]
    assert len(_queries(lambda: services.notifications_deliver(ids=one))) == len(
        _queries(lambda: services.notifications_deliver(ids=many))
    )
    assert len(mail.outbox) == 101


def test_it_reads_recipients_up_front_not_per_row(db, make_item):
    users = [UserFactory(email=f"u{i}@example.cn") for i in range(20)]
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(u) for u in users])]
    queries = _queries(lambda: services.notifications_deliver(ids=ids))
    assert len([q for q in queries if "auth_user" in q]) == 1


# --- reading --------------------------------------------------------------------------------------


def test_it_marks_a_notification_read_once(alice, make_item):
    [n] = services.notifications_create_many(items=[make_item(alice)])
    services.notification_mark_read(notification=n, by=alice)
    first = Notification.objects.get().read_at
    assert first is not None
    services.notification_mark_read(notification=n, by=alice)
    assert Notification.objects.get().read_at == first
    assert selectors.unread_count(alice) == 0


def test_it_refuses_to_mark_someone_elses_notification(alice, bob, make_item):
    [n] = services.notifications_create_many(items=[make_item(alice)])
    with pytest.raises(PermissionDenied):
        services.notification_mark_read(notification=n, by=bob)
    assert Notification.objects.get().read_at is None


def test_it_marks_all_read_up_to_the_newest_shown(alice, bob, make_item):
    shown = services.notifications_create_many(items=[make_item(alice), make_item(bob)])
    later = services.notifications_create_many(items=[make_item(alice, "pledge:2")])
    assert services.notifications_mark_all_read(by=alice, up_to=shown[-1].pk) == 1
    assert selectors.unread_count(alice) == 1
    assert Notification.objects.get(pk=later[0].pk).read_at is None
    assert Notification.objects.get(recipient=bob).read_at is None
    assert services.notifications_mark_all_read(by=alice) == 1
    assert selectors.unread_count(alice) == 0


# --- concurrency --------------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: run on PostgreSQL (CI)"
)
@pytest.mark.django_db(transaction=True)
def test_it_sends_once_when_two_runs_race(make_item, settings):
    settings.NOTIFICATION_CHANNELS = [RECORDER]
    users = [UserFactory() for _ in range(200)]
    items = [make_item(u) for u in users]
    created: list[int] = []
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            new = services.notifications_create_many(items=items)
            created.append(len(new))
            services.notifications_deliver(ids=[n.pk for n in new])
            services.notifications_redeliver()
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
