"""Celery for real: JSON, time limits, Asia/Shanghai, in-process without Redis."""

from celery.schedules import crontab

from config import settings as project_settings
from config.celery import app


def test_it_speaks_json_only():
    assert app.conf.task_serializer == "json"
    assert app.conf.result_serializer == "json"
    assert app.conf.accept_content == ["json"]


def test_it_limits_every_task():
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit


def test_it_keeps_shanghai_time():
    assert app.conf.timezone == "Asia/Shanghai"


def test_it_runs_tasks_in_process_without_redis():
    # As the settings module computes it when REDIS_URL is not set (the embedded default).
    if not project_settings.REDIS_URL:
        assert project_settings.CELERY_TASK_ALWAYS_EAGER
        assert project_settings.CELERY_BROKER_URL == "memory://"
    else:
        assert project_settings.CELERY_BROKER_URL == project_settings.REDIS_URL


def test_it_knows_every_scheduled_task():
    app.loader.import_default_modules()
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
        assert isinstance(entry["schedule"], crontab)


def test_it_retries_failed_notification_deliveries_every_half_hour():
    entry = app.conf.beat_schedule["redeliver-notifications"]
    assert entry["task"] == "core.notifications.tasks.redeliver_notifications"
    assert entry["schedule"].minute == {0, 30}
