"""Logins, failures, lockouts and logouts are lines of the security log."""

from core.security.models import SecurityEvent

A = SecurityEvent.Action


def _login(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_it_logs_a_login_with_address(client, world):
    _login(client, "secretary", "pass12345", address="10.3.3.3")
    line = SecurityEvent.objects.get(action=A.LOGIN)
    assert (line.username, line.address, line.result) == ("secretary", "10.3.3.3", "ok")
    assert line.org_path == world.branch.path


def test_it_logs_a_failure_under_the_accounts_organization(client, world):
    _login(client, "secretary", "wrong")
    line = SecurityEvent.objects.get(action=A.LOGIN_FAILED)
    assert (line.username, line.result, line.user_pk) == ("secretary", "failed", world.secretary.pk)
    assert line.org_path == world.branch.path


def test_it_logs_a_failure_for_an_unknown_username(client, db):
    _login(client, "nobody", "wrong")
    line = SecurityEvent.objects.get(action=A.LOGIN_FAILED)
    assert line.username == "nobody" and line.user_pk is None


def test_it_refuses_a_nul_in_the_username_without_a_500(client, db):
    # core.middleware answers with its Chinese 400 page before the login form sees it.
    assert _login(client, "nobody\x00", "wrong").status_code == 400


def test_it_logs_a_lockout(client, world):
    for _ in range(5):
        _login(client, "secretary", "wrong", address="10.4.4.4")
    line = SecurityEvent.objects.get(action=A.LOCKOUT)
    assert (line.username, line.address, line.result) == ("secretary", "10.4.4.4", "refused")


def test_it_logs_a_logout(client, world):
    client.force_login(world.secretary)
    client.post("/logout/")
    assert SecurityEvent.objects.filter(action=A.LOGOUT, username="secretary").exists()
