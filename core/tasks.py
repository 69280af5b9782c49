"""The worker's heartbeat for /healthz (core.health): written every minute from beat and once
when a worker starts, so a dead worker shows there within minutes."""

from celery import shared_task
from celery.signals import worker_ready

from .health import record_heartbeat


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    record_heartbeat()


@worker_ready.connect
def _on_worker_ready(**kwargs) -> None:
    record_heartbeat()
