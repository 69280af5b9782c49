import pytest
from django.core.exceptions import PermissionDenied
from kombu.exceptions import OperationalError as BrokerError

from core.errors import TransitionError
from core.exports import registry, services, tasks
from core.exports.models import ExportJob
from core.security.models import SecurityEvent

S = ExportJob.Status


def start(user, params=None, kind="fake"):
    return services.export_start(by=user, kind=kind, params=params or {"org": "east"})


def test_it_records_a_queued_job_for_its_requester(alice, fake):
    job = start(alice, {"org": "east", "rows": "5"})
    assert job.status == S.QUEUED
    assert job.requester == alice
    assert job.params == {"org": "east", "rows": 5}  # cleaned by the kind
    assert job.title == "east 测试台账"
    assert fake.builds == 0  # nothing runs before the commit


def test_it_builds_the_file_once_the_start_is_committed(
    alice, fake, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start(alice)
    job.refresh_from_db()
    assert job.status == S.DONE
    assert fake.builds == 1


def test_it_refuses_a_stranger(stranger, fake):
    with pytest.raises(PermissionDenied):
        start(stranger)
    assert not ExportJob.objects.exists()


def test_it_refuses_a_user_who_may_not_see_the_organization(bob, fake):
    with pytest.raises(PermissionDenied):
        start(bob, {"org": "east"})
    assert start(bob, {"org": "west"}).status == S.QUEUED


@pytest.mark.parametrize(
    "kind, params, message",
    [
        ("nope", {"org": "east"}, "没有这种导出"),
        (None, {"org": "east"}, "没有这种导出"),
        ("fake", {"org": "north"}, "没有这个组织"),
        ("fake", {"org": "east", "rows": "many"}, "行数应为整数"),
        ("fake", {"org": "east\x00"}, "无效字符"),
        ("fake", {"org": "east", "note": "长" * 201}, "过长"),
        ("fake", {"org": "east", "n": 2**80}, "超出范围"),
        ("fake", {"org": "east", "n": 1.5}, "有误"),
        ("fake", {f"k{i}": "v" for i in range(21)}, "导出参数有误"),
        ("fake", {"": "v"}, "导出参数有误"),
        ("fake", ["org"], "导出参数有误"),
    ],
)
def test_it_refuses_bad_input_with_a_message_and_writes_nothing(alice, fake, kind, params, message):
    with pytest.raises(TransitionError, match=message):
        services.export_start(by=alice, kind=kind, params=params)
    assert not ExportJob.objects.exists()


def test_it_refuses_params_a_kind_cleans_into_something_unstorable(alice, fake):
    registry.register(
        "bad",
        fake.build,
        label="坏",
        permission=lambda user, params: True,
        clean=lambda params: {"rows": 2**80},
    )
    try:
        with pytest.raises(TransitionError, match="超出范围"):
            services.export_start(by=alice, kind="bad", params={})
    finally:
        registry.unregister("bad")
    assert not ExportJob.objects.exists()


def broken_broker(*args, **kwargs):
    raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def test_it_says_the_broker_is_down_and_leaves_no_job(
    alice, fake, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks.run_export, "apply_async", broken_broker)
    with pytest.raises(services.BrokerUnavailable, match="后台任务服务暂时无法连接"):
        with django_capture_on_commit_callbacks(execute=True):
            start(alice)
    assert not ExportJob.objects.exists()


def failed_job(user, **fields):
    return ExportJob.objects.create(
        requester=user,
        kind="fake",
        params={"org": "east", "rows": 2},
        title="east 测试台账",
        status=S.FAILED,
        error="生成文件时出错。",
        attempts=1,
        **fields,
    )


def test_it_retries_a_failed_job(alice, fake, django_capture_on_commit_callbacks):
    job = failed_job(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.export_retry(job=job, by=alice)
    job.refresh_from_db()
    assert job.status == S.DONE
    assert job.error == ""
    assert job.attempts == 2
    assert job.file


def test_it_retries_only_a_failed_job(alice, fake):
    job = failed_job(alice)
    ExportJob.objects.filter(pk=job.pk).update(status=S.DONE)
    with pytest.raises(TransitionError, match="只有失败的导出可以重试"):
        services.export_retry(job=job, by=alice)


def test_it_lets_only_the_requester_retry(alice, bob, fake):
    job = failed_job(alice)
    with pytest.raises(PermissionDenied):
        services.export_retry(job=job, by=bob)
    job.refresh_from_db()
    assert job.status == S.FAILED


def test_it_refuses_a_retry_once_the_requester_may_no_longer_see_it(alice, fake):
    job = failed_job(alice)
    fake.allowed["east"].clear()
    with pytest.raises(PermissionDenied):
        services.export_retry(job=job, by=alice)


def test_it_fails_a_retry_the_broker_did_not_take_with_the_reason(
    alice, fake, monkeypatch, django_capture_on_commit_callbacks
):
    job = failed_job(alice)
    monkeypatch.setattr(tasks.run_export, "apply_async", broken_broker)
    with pytest.raises(services.BrokerUnavailable):
        with django_capture_on_commit_callbacks(execute=True):
            services.export_retry(job=job, by=alice)
    job.refresh_from_db()
    assert job.status == S.FAILED
    assert "后台任务服务暂时无法连接" in job.error


def test_it_gives_back_the_same_export_already_under_way(alice, fake):
    first = start(alice, {"org": "east", "rows": "2"})
    assert start(alice, {"org": "east", "rows": 2}) == first
    assert start(alice, {"org": "west", "rows": "2"}) != first
    assert ExportJob.objects.count() == 2


def test_it_refuses_a_fourth_export_under_way(alice, fake):
    for rows in range(3):
        start(alice, {"org": "east", "rows": rows})
    with pytest.raises(TransitionError, match="已有 3 个导出正在进行"):
        start(alice, {"org": "east", "rows": 9})
    assert ExportJob.objects.count() == 3
    ExportJob.objects.filter(params__rows=0).update(status=S.DONE)
    assert start(alice, {"org": "east", "rows": 9}).status == S.QUEUED


def test_it_writes_a_security_log_line_for_the_export(alice, fake):
    job = start(alice, {"org": "east", "rows": "5"})
    line = SecurityEvent.objects.get(action=SecurityEvent.Action.EXPORT)
    assert (line.username, line.object_id) == ("alice", str(job.pk))
