"""The bell in the top bar of every page."""

import copy

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.notifications import services

PAGE = "/password/"  # any signed-in page with the top bar
PROCESSOR = "core.notifications.context_processors.unread_notifications"


def _bell_count(html: str) -> str | None:
    marker = 'data-testid="unread-count">'
    if marker not in html:
        return None
    return html.split(marker, 1)[1].split("<", 1)[0]


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PAGE).status_code == 200
    return len(ctx.captured_queries)


def test_it_shows_the_unread_count(client, alice, make_item):
    services.notifications_create_many(items=[make_item(alice, "a:1"), make_item(alice, "a:2")])
    client.force_login(alice)
    html = client.get(PAGE).content.decode()
    assert 'data-testid="bell"' in html and 'href="/notifications/"' in html
    assert _bell_count(html) == "2"


def test_it_shows_no_number_when_all_is_read(client, alice):
    client.force_login(alice)
    html = client.get(PAGE).content.decode()
    assert 'data-testid="bell"' in html
    assert _bell_count(html) is None


def test_it_shortens_a_large_count(client, alice, make_item):
    services.notifications_create_many(items=[make_item(alice, f"a:{i}") for i in range(120)])
    client.force_login(alice)
    assert _bell_count(client.get(PAGE).content.decode()) == "99+"


def test_it_costs_a_page_no_query(client, alice, make_item, settings):
    services.notifications_create_many(items=[make_item(alice)])
    client.force_login(alice)
    with_bell = _queries(client)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].remove(PROCESSOR)
    settings.TEMPLATES = templates
    assert _queries(client) == with_bell


def test_it_counts_again_once_after_a_change(client, alice, make_item, settings):
    client.force_login(alice)
    before = _queries(client)
    services.notifications_create_many(items=[make_item(alice)])
    assert _queries(client) == before + 1
    assert _queries(client) == before
    assert _bell_count(client.get(PAGE).content.decode()) == "1"


def test_it_shows_no_bell_to_a_visitor(client, db):
    assert 'data-testid="bell"' not in client.get("/login/").content.decode()
