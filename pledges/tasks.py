"""Thin Celery tasks: they call pledges.reminders, which makes every send idempotent."""

from celery import shared_task
from django.db import OperationalError

from . import reminders


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_monthly_progress_reminders() -> int:
    return reminders.send_monthly_progress_reminders()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_overdue_reminders() -> int:
    return reminders.send_overdue_reminders()
