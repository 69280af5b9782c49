"""Thin Celery tasks: ids in, one service call; every service here can run twice."""

from celery import shared_task

from . import background
from .models import ExportJob

RETRY = {
    "autoretry_for": background.TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "max_retries": 5,
}


@shared_task(
    soft_time_limit=background.SOFT_TIME_LIMIT,
    time_limit=background.SOFT_TIME_LIMIT + 60,
    acks_late=True,
    **RETRY,
)
def run_export(job_id: int) -> str:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None:  # expired and deleted while it waited
        return "missing"
    return background.export_run(job=job).status


@shared_task(**RETRY)
def fail_stale_exports() -> int:
    return background.exports_fail_stale()


@shared_task(**RETRY)
def expire_exports() -> int:
    return background.exports_expire()
