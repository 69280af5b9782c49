from pathlib import Path

from django.test import RequestFactory

from core.security.addresses import client_address
from tests.factories import UserFactory


def _request(**meta):
    return RequestFactory().get("/", **meta)


def test_it_uses_remote_addr_by_default(settings):
    settings.TRUSTED_PROXY = False
    request = _request(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "10.0.0.9"


def test_it_uses_the_first_forwarded_hop_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY = True
    request = _request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.1")
    assert client_address(request) == "1.2.3.4"


def test_it_ignores_a_malformed_forwarded_header(settings):
    settings.TRUSTED_PROXY = True
    request = _request(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="<script>, 1.2.3.4")
    assert client_address(request) == "127.0.0.1"


def test_it_is_the_only_place_that_reads_remote_addr():
    # Behind nginx every REMOTE_ADDR is 127.0.0.1: a limit or lockout keyed on it is site-wide.
    root = Path(__file__).resolve().parents[2]
    helper = root / "core" / "security" / "addresses.py"
    readers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != helper
        and not {"tests", ".venv", "node_modules"} & set(path.relative_to(root).parts)
        and "REMOTE_ADDR" in path.read_text(encoding="utf-8")
    ]
    assert readers == []


def test_it_is_the_address_django_axes_locks_out(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "core.security.addresses.client_address"


def test_it_locks_out_one_citizen_behind_the_proxy_not_another(client, db, settings):
    settings.TRUSTED_PROXY = True
    UserFactory(username="li")

    def login(username, password, citizen):
        return client.post(
            "/login/",
            {"username": username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=citizen,
        )

    for i in range(5):
        login(f"guess{i}", "wrong-password", "203.0.113.7")
    assert login("li", "pass12345", "203.0.113.7").status_code == 429
    assert login("li", "pass12345", "203.0.113.8").status_code == 302
