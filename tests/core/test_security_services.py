"""The security log is append-only, kept 180 days; flags and sessions change only here."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory
from django.utils import timezone

from core.security.models import AppendOnlyError, PasswordChangeRequired, SecurityEvent
from core.security.services import (
    password_change_require,
    security_log,
    security_log_purge,
)
from core.security.tasks import purge_security_log
from tests.factories import UserFactory


def _line(**fields) -> SecurityEvent:
    return SecurityEvent.objects.create(action=SecurityEvent.Action.EXPORT, result="ok", **fields)


def test_it_records_user_address_object_and_the_users_organization(world):
    request = RequestFactory().get("/pledges/ledger.xlsx", REMOTE_ADDR="10.2.3.4")
    request.user = world.office
    line = security_log(action=SecurityEvent.Action.EXPORT, request=request, obj=world.branch)
    assert (line.username, line.user_pk, line.address) == ("office", world.office.pk, "10.2.3.4")
    assert (line.object_id, line.object_label) == (str(world.branch.pk), "东街社区党支部")
    assert line.org_path == world.town.path
    assert line.request_path == "/pledges/ledger.xlsx"


def test_it_takes_an_explicit_organization_path(world):
    line = security_log(
        action=SecurityEvent.Action.PUBLISH, user=world.office, org_path=world.branch.path
    )
    assert line.org_path == world.branch.path


def test_it_strips_nul_and_cuts_long_text(db):
    line = security_log(
        action=SecurityEvent.Action.LOGIN_FAILED, username="a\x00b" + "x" * 500, result="failed"
    )
    line.refresh_from_db()
    assert line.username.startswith("ab") and len(line.username) == 150


def test_it_refuses_to_change_a_line(db):
    line = _line(username="office")
    line.username = "someone else"
    with pytest.raises(AppendOnlyError):
        line.save()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=line.pk).update(username="x")


def test_it_refuses_to_delete_a_line(db):
    line = _line()
    with pytest.raises(AppendOnlyError):
        line.delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.all().delete()
    assert SecurityEvent.objects.filter(pk=line.pk).exists()


def test_it_refuses_raw_sql_changes_in_the_database(db):
    line = _line(username="office")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE security_securityevent SET username = 'x'")
    if connection.vendor == "postgresql":  # SQLite (embedded) refuses only updates
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM security_securityevent")
    line.refresh_from_db()
    assert line.username == "office"


def test_it_removes_only_lines_older_than_180_days(db):
    now = timezone.now()
    old = _line(at=now - datetime.timedelta(days=181))
    kept = _line(at=now - datetime.timedelta(days=179))
    assert security_log_purge() == 1
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()
    assert security_log_purge() == 0


def test_it_schedules_the_retention_daily(settings, db):
    entry = settings.CELERY_BEAT_SCHEDULE["security-log-retention"]
    assert entry["task"] == purge_security_log.name == "core.security.tasks.purge_security_log"
    _line(at=timezone.now() - datetime.timedelta(days=200))
    assert purge_security_log() == 1


def test_it_flags_an_account_once(world):
    password_change_require(user=world.member_user)
    password_change_require(user=world.member_user)
    assert PasswordChangeRequired.objects.filter(user=world.member_user).count() == 1
    line = SecurityEvent.objects.get(action=SecurityEvent.Action.PASSWORD_RESET_REQUIRED)
    assert line.object_id == str(world.member_user.pk)
    assert line.org_path == world.branch.path


def test_it_clears_the_flag_and_logs_when_the_password_changes(client, db):
    user = UserFactory(username="imported")
    password_change_require(user=user)
    client.force_login(user)
    client.post(
        "/password/",
        {
            "old_password": "pass12345",
            "new_password1": "Hongqi-2026-abc",
            "new_password2": "Hongqi-2026-abc",
        },
    )
    assert not PasswordChangeRequired.objects.filter(user=user).exists()
    assert SecurityEvent.objects.filter(
        action=SecurityEvent.Action.PASSWORD_CHANGE, username="imported"
    ).exists()


def test_it_logs_out_everywhere(db):
    user = UserFactory()
    other = UserFactory()
    laptop, phone, someone_else = Client(), Client(), Client()
    laptop.force_login(user)
    phone.force_login(user)
    someone_else.force_login(other)
    response = laptop.post("/logout/everywhere/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert phone.get("/password/")["Location"].startswith("/login/")
    assert laptop.get("/password/")["Location"].startswith("/login/")
    assert someone_else.get("/password/").status_code == 200
    assert Session.objects.count() == 1
    assert SecurityEvent.objects.filter(action=SecurityEvent.Action.LOGOUT_EVERYWHERE).exists()


def test_it_logs_out_everywhere_a_session_that_changed_its_password(db):
    user = UserFactory()
    laptop = Client()
    laptop.force_login(user)
    laptop.post(
        "/password/",
        {
            "old_password": "pass12345",
            "new_password1": "Hongqi-2026-abc",
            "new_password2": "Hongqi-2026-abc",
        },
    )
    assert laptop.get("/password/").status_code == 200  # still signed in, under a new key
    user.refresh_from_db()  # the new password's session hash
    phone = Client()
    phone.force_login(user)
    assert phone.post("/logout/everywhere/")["Location"] == "/login/"
    assert laptop.get("/password/")["Location"].startswith("/login/")


def test_it_logs_out_everywhere_only_by_post_and_only_signed_in(client, db):
    assert client.post("/logout/everywhere/")["Location"].startswith("/login/")
    client.force_login(UserFactory())
    assert client.get("/logout/everywhere/").status_code == 405
