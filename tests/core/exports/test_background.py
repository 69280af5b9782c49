import datetime

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.utils import timezone
from openpyxl import load_workbook

from core.errors import TransitionError
from core.exports import background, services
from core.exports.models import KEEP_FOR, ExportJob

S = ExportJob.Status


def queued(user, rows=3, **fields):
    return ExportJob.objects.create(
        requester=user,
        kind="fake",
        params={"org": "east", "rows": rows},
        title="east 测试台账",
        **fields,
    )


def test_it_goes_from_queued_through_running_with_progress_to_done(alice, fake, monkeypatch):
    monkeypatch.setattr(background, "PROGRESS_SECONDS", 0)
    job = queued(alice, rows=3)
    seen = []

    def watch(job, progress):
        row = ExportJob.objects.get(pk=job.pk)
        seen.append((row.status, row.rows_done, row.rows_total, row.heartbeat_at is not None))
        progress(2, 3)
        row = ExportJob.objects.get(pk=job.pk)
        seen.append((row.status, row.rows_done, row.rows_total, row.percent))

    fake.during = watch
    assert job.status == S.QUEUED and job.percent == 0
    services.export_run(job=job)
    assert seen == [(S.RUNNING, 0, 3, True), (S.RUNNING, 2, 3, 66)]
    job.refresh_from_db()
    assert job.status == S.DONE
    assert (job.rows_done, job.rows_total, job.percent) == (3, 3, 100)
    assert job.started_at and job.finished_at and job.attempts == 1
    assert job.expires_at == job.finished_at + KEEP_FOR
    with job.file.open("rb") as f:
        sheet = load_workbook(f).worksheets[0]
    assert sheet["A1"].value == "east 测试台账"
    items = [r[1] for r in sheet.iter_rows(min_row=3, values_only=True)]
    assert items == ["事项0", "事项1", "事项2"]


def test_it_does_not_rebuild_a_done_job(alice, fake):
    job = queued(alice)
    services.export_run(job=job)
    name = job.file.name
    services.export_run(job=job)
    job.refresh_from_db()
    assert fake.builds == 1
    assert job.file.name == name


def test_it_does_not_start_a_job_running_elsewhere_twice(alice, fake):
    now = timezone.now()
    job = queued(alice, status=S.RUNNING, heartbeat_at=now, started_at=now, attempts=1)
    services.export_run(job=job)
    job.refresh_from_db()
    assert fake.builds == 0
    assert (job.status, job.attempts) == (S.RUNNING, 1)


def test_it_takes_over_a_job_whose_worker_died(alice, fake):
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    job = queued(alice, status=S.RUNNING, heartbeat_at=long_ago, started_at=long_ago, attempts=1)
    services.export_run(job=job)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (S.DONE, 2)


def test_it_records_why_a_build_failed_and_can_be_retried(
    alice, fake, django_capture_on_commit_callbacks
):
    job = queued(alice)
    fake.fail_with = ValueError("a bug")
    services.export_run(job=job)
    job.refresh_from_db()
    assert job.status == S.FAILED
    assert job.error == "生成文件时出错。请重试；如果再次失败，请联系管理员。"
    assert not job.file
    assert job.expires_at is not None
    fake.fail_with = None
    with django_capture_on_commit_callbacks(execute=True):
        services.export_retry(job=job, by=alice)
    job.refresh_from_db()
    assert job.status == S.DONE and job.error == ""


def test_it_shows_the_builders_own_message(alice, fake):
    job = queued(alice)
    fake.fail_with = TransitionError("该组织已撤销")
    assert services.export_run(job=job).error == "该组织已撤销"


def test_it_fails_a_job_the_requester_may_no_longer_export(alice, fake):
    job = queued(alice)
    fake.allowed["east"].clear()
    job = services.export_run(job=job)
    assert (job.status, job.error) == (S.FAILED, "您已无权导出这些数据")
    assert fake.builds == 0


def test_it_fails_a_job_of_a_kind_no_longer_registered(alice, db):
    job = queued(alice)
    assert services.export_run(job=job).error == "这种导出已不再提供"


def test_it_puts_a_job_back_in_the_queue_on_a_transient_error(alice, fake):
    job = queued(alice)
    fake.fail_with = OperationalError("database is locked")
    with pytest.raises(OperationalError):
        services.export_run(job=job)
    job.refresh_from_db()
    assert job.status == S.QUEUED  # the task's retry runs it again
    fake.fail_with = None
    assert services.export_run(job=job).status == S.DONE


def test_it_stops_writing_to_a_job_it_lost(alice, fake, monkeypatch):
    monkeypatch.setattr(background, "PROGRESS_SECONDS", 0)
    job = queued(alice)

    def failed_meanwhile(job, progress):
        ExportJob.objects.filter(pk=job.pk).update(status=S.FAILED, error="后台任务中断")
        progress(1, 3)

    fake.during = failed_meanwhile
    job = services.export_run(job=job)
    assert (job.status, job.error) == (S.FAILED, "后台任务中断")
    assert not job.file


def test_it_fails_a_running_job_whose_heartbeat_stopped(alice, fake):
    now = timezone.now()
    dead = queued(alice, status=S.RUNNING, heartbeat_at=now - datetime.timedelta(minutes=4))
    alive = queued(alice, status=S.RUNNING, heartbeat_at=now - datetime.timedelta(seconds=30))
    done = queued(alice, status=S.DONE, heartbeat_at=now - datetime.timedelta(days=1))
    assert services.exports_fail_stale() == 1
    dead.refresh_from_db()
    assert dead.status == S.FAILED
    assert "后台任务中断" in dead.error
    assert dead.is_stale() is False
    assert ExportJob.objects.get(pk=alive.pk).status == S.RUNNING
    assert ExportJob.objects.get(pk=done.pk).status == S.DONE


def test_it_fails_a_job_queued_for_an_hour(alice, fake):
    old = queued(alice, queued_at=timezone.now() - datetime.timedelta(minutes=61))
    recent = queued(alice)
    assert services.exports_fail_stale() == 1
    old.refresh_from_db()
    assert old.status == S.FAILED and "排队一小时" in old.error
    assert ExportJob.objects.get(pk=recent.pk).status == S.QUEUED


def test_it_fails_only_the_given_job(alice, fake):
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    one = queued(alice, status=S.RUNNING, heartbeat_at=long_ago)
    other = queued(alice, status=S.RUNNING, heartbeat_at=long_ago)
    assert services.exports_fail_stale(job=one) == 1
    assert one.status == S.FAILED  # the instance is refreshed
    assert ExportJob.objects.get(pk=other.pk).status == S.RUNNING


def test_it_removes_expired_files_and_rows(alice, fake, django_capture_on_commit_callbacks):
    old, fresh = queued(alice), queued(alice)
    services.export_run(job=old)
    services.export_run(job=fresh)
    old.refresh_from_db()
    name = old.file.name
    assert default_storage.exists(name)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    failed = queued(alice, status=S.FAILED, expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_expire() == 2
    assert not default_storage.exists(name)
    assert not ExportJob.objects.filter(pk__in=[old.pk, failed.pk]).exists()
    fresh.refresh_from_db()
    assert default_storage.exists(fresh.file.name)


def test_it_expires_a_row_whose_file_is_already_gone(
    alice, fake, django_capture_on_commit_callbacks
):
    job = queued(alice)
    services.export_run(job=job)
    job.refresh_from_db()
    default_storage.delete(job.file.name)
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.exports_expire() == 1


def test_it_bounds_the_counts_a_builder_reports(alice, fake, monkeypatch):
    monkeypatch.setattr(background, "PROGRESS_SECONDS", 0)
    fake.during = lambda job, progress: progress(10**30, -5)
    job = services.export_run(job=queued(alice))
    assert job.status == S.DONE
    assert job.rows_total == 3  # the builder's last word
