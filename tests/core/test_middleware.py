"""core.middleware: a NUL or control character in any GET/POST value is a Chinese 400 page on
every address, before any view reads it, so no path can store one or fail with a 500."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core.middleware import has_control_chars
from tests.factories import UserFactory

SAMPLES = {"int": 1, "str": "x", "slug": "x", "path": "x"}


def _names(resolver: URLResolver, namespace: str = "") -> list[tuple[str, dict]]:
    found = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += _names(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            converters = getattr(p.pattern, "converters", {})
            kwargs = {
                k: SAMPLES.get(type(c).__name__.removesuffix("Converter").lower(), "x")
                for k, c in converters.items()
            }
            found.append((f"{namespace}{p.name}", kwargs))
    return found


def _addresses() -> list[str]:
    addresses = set()
    for name, kwargs in _names(get_resolver()):
        if name.startswith("admin:"):
            continue  # Django's own; the same middleware stands in front of it
        try:
            addresses.add(reverse(name, kwargs=kwargs))
        except Exception:  # noqa: BLE001 - a pattern whose sample arguments do not fit
            continue
    return sorted(addresses)


ADDRESSES = _addresses()


def test_it_walks_the_domain_addresses():
    assert len(ADDRESSES) > 80
    assert any(a.startswith("/reviews/") for a in ADDRESSES)
    assert any(a.startswith("/public/") for a in ADDRESSES)


@pytest.mark.parametrize("address", ADDRESSES)
def test_it_refuses_a_nul_posted_to_every_address(client, db, address):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(address, {"reason": "退回\x00", "text": "ok"})
    assert response.status_code == 400
    assert "无效字符" in response.content.decode()


@pytest.mark.parametrize("value", ["\x00", "a\x01b", "\x1b[31m", "\x7f\x0b"])
def test_it_refuses_control_characters_in_a_query(client, db, value):
    response = client.get("/public/", {"q": value})
    assert response.status_code == 400
    assert "返回上一页" in response.content.decode()


def test_it_refuses_a_control_character_in_a_field_name(client, db):
    assert client.post("/login/", {"user\x00": "x"}).status_code == 400


def test_it_lets_tabs_and_line_breaks_through(client, db):
    assert client.get("/public/", {"q": "东街\t\r\n"}).status_code == 200
    assert not has_control_chars("第一行\r\n第二行\t缩进")


def test_it_links_back_to_the_form_on_this_site_only(client, db):
    page = client.get("/public/", {"q": "\x00"}, HTTP_REFERER="http://testserver/public/?p=1")
    assert 'href="http://testserver/public/?p=1"' in page.content.decode()
    page = client.get("/public/", {"q": "\x00"}, HTTP_REFERER="https://evil.example/")
    assert 'href="/"' in page.content.decode()
