import datetime

from django.utils import timezone

from core.notifications import selectors, services
from core.notifications.models import Delivery, Notification
from tests.core.notifications import fakes


def test_it_caches_the_unread_count(alice, make_item, django_assert_num_queries):
    services.notifications_create_many(items=[make_item(alice)])
    with django_assert_num_queries(1):
        assert selectors.unread_count(alice) == 1
    with django_assert_num_queries(0):
        assert selectors.unread_count(alice) == 1


def test_it_never_shows_a_count_cached_before_a_redis_outage(
    alice, make_item, settings, closed_port, django_capture_on_commit_callbacks
):
    services.notifications_create_many(items=[make_item(alice)])
    assert selectors.unread_count(alice) == 1
    back, settings.CACHES = (
        settings.CACHES,
        {
            "default": {
                "BACKEND": "core.cache.FaultTolerantRedisCache",
                "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_mark_all_read(by=alice)
    assert selectors.unread_count(alice) == 0  # from the database
    settings.CACHES = back
    # The cache is back, the count from before the outage still in it: not read.
    assert selectors.unread_count(alice) == 0


def test_it_lists_a_users_inbox_newest_first(alice, bob, make_item):
    older = services.notifications_create_many(items=[make_item(alice, "a:1"), make_item(bob)])
    Notification.objects.filter(pk=older[0].pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    newer = services.notifications_create_many(items=[make_item(alice, "a:2")])
    assert list(selectors.inbox(alice)) == [newer[0], older[0]]


def test_it_counts_the_undelivered_per_channel_and_overall(alice, bob, make_item, settings):
    settings.NOTIFICATION_CHANNELS = [
        "core.notifications.channels.Email",
        "tests.core.notifications.fakes.Recorder",
    ]
    fakes.Recorder.failing = {"alice"}
    created = services.notifications_create_many(items=[make_item(alice), make_item(bob)])
    ids = [n.pk for n in created]
    services.notifications_deliver(ids=ids)
    assert selectors.delivery_counts(ids) == {
        "email": {"delivered": 1, "skipped": 1},
        "recorder": {"failed": 1, "delivered": 1},
    }
    # alice has her email, bob his recorder message: neither is in the app only.
    assert selectors.undelivered_count() == 0
    Delivery.objects.filter(notification__recipient=bob, channel="recorder").update(status="failed")
    assert list(selectors.undelivered()) == [created[1]]
    assert selectors.undelivered_among(ids) == 1


def test_it_finds_what_a_channel_still_owes(alice, bob, make_item):
    now = timezone.now()
    a, b = services.notifications_create_many(items=[make_item(alice), make_item(bob)])

    def owed() -> list:
        return list(
            selectors.needing_delivery(
                channel="email",
                since=now - datetime.timedelta(days=7),
                stale_before=now - datetime.timedelta(minutes=30),
                max_attempts=3,
            ).order_by("pk")
        )

    assert owed() == [a, b]
    Delivery.objects.create(
        notification=a, channel="email", status="delivered", at=now, claim=a.batch
    )
    Delivery.objects.create(notification=b, channel="email", status="failed", at=now, claim=a.batch)
    assert owed() == [b]
    Delivery.objects.filter(notification=b).update(attempts=3)
    assert owed() == []
    Delivery.objects.filter(notification=b).update(
        status="sending", at=now - datetime.timedelta(hours=1)
    )
    assert owed() == [b]
