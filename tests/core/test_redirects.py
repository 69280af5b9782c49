"""`next`: only a path on this site, from every form and from Django's own views."""

import pytest
from django.test import RequestFactory

from core.redirects import safe_next
from tests.factories import UserFactory


@pytest.mark.parametrize(
    "target",
    ["", "x", "logout", "//evil.example/", "https://evil.example/", "javascript:alert(1)"],
)
def test_it_takes_the_default_for_anything_but_a_path_here(target):
    request = RequestFactory().post("/", {"next": target})
    assert safe_next(request, "/home/") == "/home/"


def test_it_takes_a_path_here_posted_or_queried():
    assert safe_next(RequestFactory().post("/", {"next": "/a/?page=2"}), "/") == "/a/?page=2"
    assert safe_next(RequestFactory().get("/", {"next": "/b/"}), "/") == "/b/"


def test_it_sends_a_login_with_an_odd_next_home(client, db):
    UserFactory(username="zhang")
    response = client.post(
        "/login/?next=logout", {"username": "zhang", "password": "pass12345", "next": "x"}
    )
    assert response.status_code == 302 and response.url == "/"


def test_it_sends_a_login_with_a_path_next_there(client, db):
    UserFactory(username="zhang")
    response = client.post(
        "/login/", {"username": "zhang", "password": "pass12345", "next": "/notifications/"}
    )
    assert response.url == "/notifications/"


def test_it_switches_language_but_drops_an_odd_next(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "x"})
    assert response.status_code == 302 and response.url == "/"
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert response.url == "/login/"
