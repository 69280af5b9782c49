"""`GET /healthz` for a load balancer and for monitoring: database, cache, broker and the
Celery worker, as JSON; 200 when all answer, 503 when one does not. No login, never cached,
nothing about the data, and answered on plain http too (SECURE_REDIRECT_EXEMPT).

The worker is alive when its heartbeat (`core.tasks.worker_heartbeat`, every minute from beat,
and once when a worker starts) is recent and no export has waited in the queue for long: with
no worker, exports would sit "排队中" while every other check says ok.

`?only=web` is for a load balancer: 200 as long as this host reaches the database, the one
thing it cannot answer pages without. The cache, the broker and the worker are shared by every
host and the pages work without them (core/cache.py), so their failure would take every host
out at once: they are still reported (the worker not at all), but do not make it a 503.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

from .exports.models import ExportJob

BROKER_TIMEOUT = 2
HEARTBEAT_KEY = "health:worker-heartbeat"
HEARTBEAT_EVERY = 60  # seconds, the beat schedule of core.tasks.worker_heartbeat
HEARTBEAT_STALE_AFTER = 3 * HEARTBEAT_EVERY
# A job waits this long only when no worker takes jobs (an export takes minutes at most).
QUEUED_TOO_LONG = 10 * 60


def record_heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, time.time(), None)


def heartbeat_age() -> float | None:
    """Seconds since the worker's last heartbeat; None if there is none (or no cache)."""
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001 - the cache check reports the cache itself
        return None
    return None if beat is None else max(time.time() - float(beat), 0.0)


def oldest_queued_age() -> int | None:
    """Seconds the oldest export still "排队中" has waited; None when none waits."""
    try:
        oldest = (
            ExportJob.objects.filter(status=ExportJob.Status.QUEUED)
            .order_by("queued_at")
            .values_list("queued_at", flat=True)
            .first()
        )
    except DatabaseError:
        return None
    return None if oldest is None else int((timezone.now() - oldest).total_seconds())


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def check_cache() -> bool:
    ping = getattr(cache, "ping", None)
    if ping is not None:  # the fault-tolerant Redis cache: ask Redis itself
        return ping()
    try:
        cache.set("healthz", 1, 10)
        return cache.get("healthz") == 1
    except Exception:  # noqa: BLE001 - any cache failure is "down" for the load balancer
        return False


def check_broker() -> bool:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # embedded mode: tasks run in-process, there is no broker to reach
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)
        return True
    except Exception:  # noqa: BLE001 - kombu raises many kinds; all mean "unreachable"
        return False


def worker_report() -> tuple[bool, dict]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded mode: tasks run in the web process, there is no worker to lose.
        return True, {"worker": "ok", "worker_heartbeat_age": None, "oldest_queued_age": None}
    age, queued = heartbeat_age(), oldest_queued_age()
    alive = age is not None and age <= HEARTBEAT_STALE_AFTER
    moving = queued is None or queued <= QUEUED_TOO_LONG
    report = {
        "worker": "ok" if alive and moving else "fail",
        "worker_heartbeat_age": None if age is None else int(age),
        "oldest_queued_age": queued,
    }
    return alive and moving, report


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
    }
    details: dict = {}
    web_only = request.GET.get("only") == "web"
    if not web_only:
        checks["worker"], details = worker_report()
    healthy = checks["database"] if web_only else all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "fail",
            **{k: "ok" if v else "fail" for k, v in checks.items()},
            **{k: v for k, v in details.items() if k != "worker"},
        },
        status=200 if healthy else 503,
    )
