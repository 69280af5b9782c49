"""Thin Celery tasks: they call services.reminders, which makes every send idempotent."""

from celery import shared_task
from django.db import OperationalError

from .services import reminders


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_monthly_progress_reminders() -> int:
    return reminders.reminders_send_monthly_progress()


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_overdue_reminders() -> int:
    return reminders.reminders_send_overdue()
