import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail

from config.celery import app
from core.notifications import services, tasks
from core.notifications.models import Delivery


def test_it_delivers_through_the_task_and_can_run_twice(alice, make_item):
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    assert tasks.deliver_notifications.delay(ids).get() == {
        "email": {"delivered": 1, "skipped": 0, "failed": 0}
    }
    tasks.deliver_notifications.delay(ids)
    assert len(mail.outbox) == 1


def test_it_redelivers_through_the_task(alice, make_item):
    services.notifications_create_many(items=[make_item(alice)])
    tasks.redeliver_notifications.delay()
    assert len(mail.outbox) == 1


def test_it_retries_the_task_on_a_transient_database_error():
    assert tasks.deliver_notifications.autoretry_for == tasks.TRANSIENT_ERRORS
    assert tasks.deliver_notifications.retry_backoff


@pytest.mark.django_db(transaction=True)
def test_it_delivers_once_on_a_real_worker(alice, make_item, settings):
    """Through the configured broker: Redis when REDIS_URL is set (CI), memory otherwise."""
    ids = [n.pk for n in services.notifications_create_many(items=[make_item(alice)])]
    finished: list[str] = []

    # Wait on the worker's own signal, not by polling the database: an in-memory SQLite
    # shared between threads refuses a read while the worker writes.
    def count(sender=None, **kwargs):
        finished.append(sender.name)

    task_postrun.connect(count, weak=False)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            tasks.deliver_notifications.delay(ids)
            tasks.deliver_notifications.delay(ids)  # a duplicate message: sends nothing more
            deadline = time.monotonic() + 20
            while len(finished) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        task_postrun.disconnect(count)
    assert finished == ["core.notifications.tasks.deliver_notifications"] * 2
    assert Delivery.objects.get().status == "delivered"
    assert len(mail.outbox) == 1
