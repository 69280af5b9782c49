"""An anonymous walk over every URL pattern of the site: only the public pages, the mass
evaluation entry, the login page and static files answer; everything else sends the visitor
to the login page or answers 403, 404 or 405."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from publicity.services import opinion as opinion_services
from tests.factories import compose_notice, publish_notice

# The admin has its own login page: a login page too. /healthz is the load balancer's probe: it
# tells only whether the database, cache and broker answer.
OPEN_PREFIXES = ("/public/", "/reviews/e/", "/login/", "/admin/login/", "/static/", "/healthz")
CLOSED_UNDER_PUBLIC = ("/public/manage/", "/public/print/")
SAMPLES = {"int": "1", "str": "publish", "slug": "x", "path": "x", "uuid": "0" * 32}


def _walk(patterns, prefix=""):
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def _urls(route: str, ids: list[int]) -> set[str]:
    """Concrete addresses for a route: every converter filled with a sample value, and an int
    with each of `ids` (ids of real rows: on PostgreSQL sequences do not restart at 1)."""
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    urls = set()
    for pk in ids:
        url = re.sub(
            r"<(?:(\w+):)?\w+>",
            lambda m, pk=pk: str(pk) if m.group(1) == "int" else SAMPLES.get(m.group(1) or "str"),
            route,
        )
        url = re.sub(r"\(\?P<\w+>[^)]*\)", str(pk), url)
        urls.add("/" + url.replace("\\", ""))
    return urls


def _open(url: str) -> bool:
    return url.startswith(OPEN_PREFIXES) and not url.startswith(CLOSED_UNDER_PUBLIC)


@pytest.fixture
def everything(pub):
    notice = publish_notice(pub, compose_notice(pub))
    opinion = opinion_services.opinion_submit(
        organization=pub.branch,
        content=opinion_services.OpinionContent(text="好"),
        address="1.2.3.4",
    )
    opinion_services.opinion_publish(opinion=opinion, by=pub.secretary, version=1)
    return pub, notice, opinion


def test_it_lets_an_anonymous_visitor_reach_only_the_public_pages(client, everything):
    pub, notice, opinion = everything
    ids = sorted({1, pub.branch.pk, notice.pk, opinion.pk})
    routes = list(_walk(get_resolver().url_patterns))
    assert len(routes) > 50
    reached = []
    urls = sorted({url for route in routes for url in _urls(route, ids)})
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            status = response.status_code
            if status in (403, 404, 405):
                continue
            if status in (301, 302):
                # Wherever a redirect leads, it must end on the login page or a public one.
                final = client.get(response["Location"], follow=True)
                landed = final.request["PATH_INFO"]
                assert final.status_code in (403, 404) or _open(landed), (url, landed)
                continue
            assert _open(url), (url, status)
            reached.append(url)
    assert any(u.startswith("/public/org/") for u in reached)
    assert "/login/" in reached
