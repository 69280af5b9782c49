import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from config.celery import app
from core.exports import background, services, tasks
from core.exports.models import ExportJob

S = ExportJob.Status


def test_it_runs_a_job_by_its_id(alice, fake):
    job = services.export_start(by=alice, kind="fake", params={"org": "east"})
    assert tasks.run_export.apply(args=(job.pk,)).get() == S.DONE
    assert tasks.run_export.apply(args=(job.pk,)).get() == S.DONE  # twice: nothing rebuilt
    assert fake.builds == 1


def test_it_skips_a_job_that_is_gone(db):
    assert tasks.run_export.apply(args=(123456,)).get() == "missing"


def test_it_is_limited_in_time_and_retried_on_transient_errors():
    assert tasks.run_export.soft_time_limit == background.SOFT_TIME_LIMIT
    assert tasks.run_export.time_limit > tasks.run_export.soft_time_limit
    assert tasks.run_export.autoretry_for == background.TRANSIENT_ERRORS
    assert tasks.run_export.acks_late


def test_it_schedules_expiry_and_the_stale_check():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {tasks.expire_exports.name, tasks.fail_stale_exports.name} <= scheduled
    assert tasks.run_export.name in app.tasks


def test_its_maintenance_tasks_call_the_services(alice, fake):
    assert tasks.fail_stale_exports.apply().get() == 0
    assert tasks.expire_exports.apply().get() == 0


@pytest.mark.django_db(transaction=True)
def test_it_runs_an_export_on_a_real_worker(alice, fake, monkeypatch):
    """Through the configured broker: Redis when REDIS_URL is set (CI), memory otherwise."""
    monkeypatch.setattr(background, "PROGRESS_SECONDS", 0)
    fake.during = lambda job, progress: time.sleep(0.5)
    seen = []
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            job = services.export_start(by=alice, kind="fake", params={"org": "east"})
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                row = ExportJob.objects.get(pk=job.pk)
                if not seen or seen[-1] != row.status:
                    seen.append(row.status)
                if row.status in (S.DONE, S.FAILED):
                    break
                time.sleep(0.05)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
    job.refresh_from_db()
    assert seen[-2:] == [S.RUNNING, S.DONE]
    assert job.status == S.DONE and job.rows_done == 3 and job.file
    assert fake.builds == 1
