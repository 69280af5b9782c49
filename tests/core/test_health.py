"""GET /healthz: database, cache, broker and worker for a load balancer, 200 or 503, never
cached, on plain http too."""

import datetime
import time

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.utils import timezone

from core import health, tasks
from core.exports.models import ExportJob
from tests.factories import UserFactory


def test_it_reports_everything_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "worker": "ok",  # embedded: tasks run in the web process
        "worker_heartbeat_age": None,
        "oldest_queued_age": None,
    }
    assert "no-store" in response["Cache-Control"]


def test_it_needs_no_login_and_sets_no_session(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and "sessionid" not in response.cookies


def test_it_reports_redis_down_as_503(client, db, settings, closed_port):
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FaultTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "fail" and response.json()["database"] == "ok"


def test_it_checks_a_real_broker_and_reports_it_down(client, db, settings, closed_port):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    assert client.get("/healthz").json()["broker"] == "ok"
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["broker"] == "fail"


def test_it_reports_the_database_down_as_503(client, db):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    with connection.execute_wrapper(refuse):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "fail"


def test_it_answers_only_get(client, db):
    assert client.post("/healthz").status_code == 405


@pytest.fixture
def with_worker(settings):
    """Production's Celery: a broker and a worker that must keep its heartbeat."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"


def test_it_reports_a_worker_that_never_beat_as_503(client, db, with_worker):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "fail" and response.json()["database"] == "ok"


def test_it_reports_a_worker_with_a_recent_heartbeat(client, db, with_worker):
    tasks.worker_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == "ok" and response.json()["worker_heartbeat_age"] <= 1


def test_it_reports_a_stale_heartbeat_as_503(client, db, with_worker):
    cache.set(health.HEARTBEAT_KEY, time.time() - health.HEARTBEAT_STALE_AFTER - 60, None)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["worker"] == "fail"
    assert response.json()["worker_heartbeat_age"] > health.HEARTBEAT_STALE_AFTER


def test_it_reports_exports_queued_for_an_hour_as_503(client, db, with_worker):
    tasks.worker_heartbeat()
    ExportJob.objects.create(
        requester=UserFactory(),
        kind="ledger",
        title="台账",
        queued_at=timezone.now() - datetime.timedelta(hours=1),
    )
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["worker"] == "fail"
    assert response.json()["oldest_queued_age"] >= 3600


def test_it_leaves_the_worker_out_for_a_web_only_check(client, db, with_worker):
    response = client.get("/healthz?only=web")
    assert response.status_code == 200 and "worker" not in response.json()


def test_it_keeps_a_web_host_in_for_a_load_balancer_while_redis_is_down(
    client, db, settings, closed_port
):
    # The pages work without the cache; every host shares it, so a 503 would take out all.
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FaultTolerantRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
        }
    }
    response = client.get("/healthz?only=web")
    assert response.status_code == 200
    assert response.json()["cache"] == "fail" and response.json()["database"] == "ok"


def test_it_takes_a_web_host_out_without_its_database(client, db):
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused")

    with connection.execute_wrapper(refuse):
        response = client.get("/healthz?only=web")
    assert response.status_code == 503 and response.json()["database"] == "fail"


def test_it_answers_a_load_balancer_on_plain_http(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/login/").status_code == 301
