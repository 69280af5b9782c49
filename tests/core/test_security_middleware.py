"""Signed-in sessions: idle timeout, forced initial-password change, no-store; refusals logged."""

import datetime
import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from core.security.models import SecurityEvent
from core.security.services import LAST_SEEN, password_change_require
from tests.factories import UserFactory

PRIVATE_PAGE = "/password/"


def _set_last_seen(client, seconds_ago: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds_ago
    session.save()


# --- idle timeout -------------------------------------------------------------------------


def test_it_times_out_after_30_idle_minutes(client, db):
    assert settings.SESSION_IDLE_SECONDS == settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(UserFactory())
    _set_last_seen(client, 31 * 60)
    response = client.get(PRIVATE_PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_it_keeps_an_active_session(client, db):
    client.force_login(UserFactory())
    _set_last_seen(client, 29 * 60)
    assert client.get(PRIVATE_PAGE).status_code == 200


def test_it_pushes_the_expiry_forward_at_most_once_a_minute(client, db):
    client.force_login(UserFactory())
    _set_last_seen(client, 10)
    before = client.session[LAST_SEEN]
    client.get(PRIVATE_PAGE)
    assert client.session[LAST_SEEN] == before  # no session write for this request

    _set_last_seen(client, 5 * 60)
    soon = timezone.now() + datetime.timedelta(minutes=25)
    Session.objects.filter(pk=client.session.session_key).update(expire_date=soon)
    client.get(PRIVATE_PAGE)
    assert int(time.time()) - client.session[LAST_SEEN] < 5
    expires = Session.objects.get(pk=client.session.session_key).expire_date
    assert expires > timezone.now() + datetime.timedelta(minutes=29)


def test_it_treats_an_expired_session_row_as_logged_out(client, db):
    client.force_login(UserFactory())
    Session.objects.update(expire_date="2000-01-01T00:00:00Z")
    assert client.get(PRIVATE_PAGE)["Location"].startswith("/login/")


# --- forced password change ---------------------------------------------------------------


def test_it_sends_a_flagged_account_to_change_its_password_first(client, db):
    user = UserFactory(username="imported")
    password_change_require(user=user)
    client.post("/login/", {"username": "imported", "password": "pass12345"})
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/password/"
    assert client.get("/password/").status_code == 200

    client.post(
        "/password/",
        {
            "old_password": "pass12345",
            "new_password1": "Hongqi-2026-abc",
            "new_password2": "Hongqi-2026-abc",
        },
    )
    assert client.get(PRIVATE_PAGE).status_code == 200
    assert client.get("/").get("Location") != "/password/"


def test_it_lets_a_flagged_account_log_out(client, db):
    user = UserFactory(username="imported")
    password_change_require(user=user)
    client.post("/login/", {"username": "imported", "password": "pass12345"})
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_does_not_flag_an_account_nobody_flagged(client, db):
    UserFactory(username="demo_like")
    client.post("/login/", {"username": "demo_like", "password": "pass12345"})
    assert client.get(PRIVATE_PAGE).status_code == 200
    assert client.get("/").get("Location") != "/password/"


# --- no-store -----------------------------------------------------------------------------


def test_it_marks_signed_in_pages_no_store(client, db):
    client.force_login(UserFactory())
    for url in (PRIVATE_PAGE, "/no-such-page/"):
        cache_control = client.get(url)["Cache-Control"]
        assert "no-store" in cache_control and "private" in cache_control


def test_it_leaves_anonymous_and_static_responses_cacheable(client, db):
    assert "no-store" not in client.get("/no-such-page/").get("Cache-Control", "")
    static = client.get("/static/css/app.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")


# --- refusals in the security log ---------------------------------------------------------


def test_it_logs_a_403_with_user_and_address(client, world):
    client.force_login(world.stranger)
    response = client.get("/security-log/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403
    line = SecurityEvent.objects.get(action=SecurityEvent.Action.REFUSED)
    assert (line.username, line.address, line.request_path) == (
        "stranger",
        "10.1.2.3",
        "/security-log/",
    )
    assert line.result == SecurityEvent.Result.REFUSED


def test_it_logs_a_signed_in_users_404(client, world):
    client.force_login(world.secretary)
    assert client.get(f"/org/{world.far_town.pk}/", REMOTE_ADDR="10.1.2.4").status_code == 404
    line = SecurityEvent.objects.get(action=SecurityEvent.Action.NOT_FOUND)
    assert (line.username, line.address) == ("secretary", "10.1.2.4")


def test_it_does_not_log_an_anonymous_404(client, db):
    client.get("/no-such-page/")
    assert not SecurityEvent.objects.filter(action=SecurityEvent.Action.NOT_FOUND).exists()


def test_it_logs_an_anonymous_csrf_refusal(db):
    Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    line = SecurityEvent.objects.get(action=SecurityEvent.Action.REFUSED)
    assert line.username == "" and line.request_path == "/login/"


def test_it_logs_a_signed_in_users_download(client, world):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/roster/template.xlsx"
    response = client.get(url, REMOTE_ADDR="10.1.2.5")
    assert response.status_code == 200
    line = SecurityEvent.objects.get(action=SecurityEvent.Action.DOWNLOAD)
    assert (line.username, line.address, line.object_label) == ("secretary", "10.1.2.5", url)


def test_it_does_not_log_an_ordinary_page_as_a_download(client, world):
    client.force_login(world.secretary)
    assert client.get(f"/org/{world.branch.pk}/").status_code == 200
    assert not SecurityEvent.objects.filter(action=SecurityEvent.Action.DOWNLOAD).exists()
