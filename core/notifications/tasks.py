"""Thin tasks: ids in, one service call. Safe to run twice: the Delivery rows are the claims."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

# A database that went away for a moment; a failed email or SMS is not retried here but
# recorded, and a later `redeliver_notifications` takes it up again.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def deliver_notifications(ids: list[int]) -> dict:
    return services.notifications_deliver(ids=ids)


@shared_task(
    autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=5
)
def redeliver_notifications() -> dict:
    return services.notifications_redeliver()
