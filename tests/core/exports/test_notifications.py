"""The requester hears his export is ready, or why it is not."""

from core.exports import services
from core.exports.models import ExportJob
from core.notifications.models import Notification


def _job(user):
    return ExportJob.objects.create(
        requester=user, kind="fake", params={"org": "east", "rows": 2}, title="east 测试台账"
    )


def test_it_tells_the_requester_his_file_is_ready(alice, fake, django_capture_on_commit_callbacks):
    job = _job(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.export_run(job=job)
    [n] = Notification.objects.filter(kind="export_finished")
    assert n.recipient == alice and n.title == "导出已完成，可以下载：测试台账"
    assert n.link == f"/exports/{job.pk}/"


def test_it_tells_the_requester_why_it_failed(alice, fake, django_capture_on_commit_callbacks):
    fake.allowed["east"] = set()
    job = _job(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.export_run(job=job)
    [n] = Notification.objects.filter(kind="export_finished")
    assert n.title == "导出未完成：测试台账" and n.body == "您已无权导出这些数据"
