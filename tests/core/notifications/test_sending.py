from django.core import mail

from core.notifications import sending
from core.notifications.models import Delivery
from tests.core.notifications import fakes
from tests.factories import UserFactory


def test_it_reports_what_a_run_created_delivered_and_skipped(alice, bob, make_item):
    report = sending.notifications_send(items=[make_item(alice), make_item(bob)])
    assert (report.created, report.existing, report.in_app_only) == (2, 0, 1)
    assert report.delivered == {"email": {"delivered": 1, "skipped": 1, "failed": 0}}
    assert report.lines() == [
        "新建通知 2 条，已存在 0 条（不重复发送）",
        "投递 · 邮件：送达 1，失败 0，跳过 1",
        "仅在站内可见（没有经任何外部渠道送达）：1 条",
    ]


def test_it_sends_nothing_on_a_second_run(alice, make_item):
    sending.notifications_send(items=[make_item(alice)])
    report = sending.notifications_send(items=[make_item(alice)])
    assert (report.created, report.existing) == (0, 1)
    assert len(mail.outbox) == 1


def test_it_retries_earlier_failures_in_a_later_run(alice, bob, make_item, settings):
    settings.NOTIFICATION_CHANNELS = ["tests.core.notifications.fakes.Recorder"]
    fakes.Recorder.failing = {"alice"}
    assert sending.notifications_send(items=[make_item(alice)]).in_app_only == 1
    fakes.Recorder.failing = set()
    report = sending.notifications_send(items=[make_item(alice), make_item(bob)])
    assert report.retried == {"recorder": {"delivered": 1, "skipped": 0, "failed": 0}}
    assert report.delivered == {"recorder": {"delivered": 1, "skipped": 0, "failed": 0}}
    assert [address for _pk, address in fakes.Recorder.sent] == ["alice", "bob"]
    assert "重试 · 记录：送达 1，失败 0，跳过 0" in report.lines()


def test_it_queues_delivery_once_the_transaction_commits(
    db, make_item, django_capture_on_commit_callbacks, settings
):
    users = [UserFactory(email=f"u{i}@example.cn") for i in range(3)]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = sending.notifications_send(items=[make_item(u) for u in users], queue=True)
    assert report.queued and report.in_app_only is None
    assert mail.outbox == [] and not Delivery.objects.exists()
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 3


def test_it_queues_one_task_per_chunk(db, make_item, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sending.notifications_queue_delivery(ids=range(1, sending.DELIVER_BATCH * 2 + 2))
    assert len(callbacks) == 3
