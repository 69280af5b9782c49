"""GET /healthz: database, cache and broker for a load balancer, 200 or 503, never cached."""

from django.db import OperationalError, connection


def test_it_reports_everything_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
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
