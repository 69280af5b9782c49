from celery import shared_task

from .services import security_log_purge


@shared_task
def purge_security_log() -> int:
    """Daily: drop security log lines older than 180 days. Running twice removes nothing more."""
    return security_log_purge()
