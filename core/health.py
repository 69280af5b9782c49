"""`GET /healthz` for a load balancer: database, cache and broker, as JSON; 200 when all
answer, 503 when one does not. No login, never cached, nothing about the data."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

BROKER_TIMEOUT = 2


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


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
    }
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "fail",
            **{k: "ok" if v else "fail" for k, v in checks.items()},
        },
        status=200 if healthy else 503,
    )
