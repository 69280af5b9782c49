"""Site-wide routes of config/urls.py that belong to no app."""

from core.security.models import SecurityEvent
from tests.factories import UserFactory


def test_it_sends_the_browsers_favicon_request_to_the_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("img/favicon.ico")


def test_it_keeps_favicon_requests_out_of_the_security_log(client, db):
    client.force_login(UserFactory(username="icon_user"))
    client.get("/favicon.ico")
    logged = SecurityEvent.objects.filter(username="icon_user")
    assert not logged.exclude(action=SecurityEvent.Action.LOGIN).exists()


def test_it_links_the_icon_from_every_page_head(client, db):
    html = client.get("/login/").content.decode()
    assert "img/favicon.ico" in html
    assert "img/favicon.svg" in html
