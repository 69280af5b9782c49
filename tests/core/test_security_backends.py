"""Login lockout (django-axes through core.security.backends): 5 failures, 30 minutes, per
account and per address, with a Chinese page saying when to retry."""

from django.contrib.auth import authenticate

from tests.factories import UserFactory


def _login(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_it_locks_an_account_after_five_failures_even_with_the_right_password(client, db):
    UserFactory(username="zhang")
    for _ in range(4):
        assert _login(client, "zhang", "wrong-password").status_code == 200
    fifth = _login(client, "zhang", "wrong-password")
    assert fifth.status_code == 429
    response = _login(client, "zhang", "pass12345")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_it_says_in_chinese_when_to_retry(client, db):
    UserFactory(username="zhang")
    for _ in range(5):
        response = _login(client, "zhang", "wrong-password")
    html = response.content.decode()
    assert "登录已锁定" in html
    assert "锁定 30 分钟" in html
    assert "之后再试" in html


def test_it_locks_the_account_from_another_address_too(client, db):
    UserFactory(username="zhang")
    for i in range(5):
        _login(client, "zhang", "wrong-password", address=f"10.0.0.{i + 1}")
    assert _login(client, "zhang", "pass12345", address="10.9.9.9").status_code == 429


def test_it_locks_an_address_trying_many_accounts(client, db):
    UserFactory(username="li")
    for i in range(5):
        _login(client, f"guess{i}", "wrong-password", address="10.0.0.7")
    assert _login(client, "li", "pass12345", address="10.0.0.7").status_code == 429
    assert _login(client, "li", "pass12345", address="10.0.0.8").status_code == 302


def test_it_lets_four_failures_and_then_the_right_password_in(client, db):
    UserFactory(username="zhang")
    for _ in range(4):
        _login(client, "zhang", "wrong-password")
    assert _login(client, "zhang", "pass12345").status_code == 302
    assert "_auth_user_id" in client.session


def test_it_leaves_authentication_without_a_request_to_the_password_check(db):
    UserFactory(username="zhang")
    assert authenticate(username="zhang", password="pass12345") is not None
