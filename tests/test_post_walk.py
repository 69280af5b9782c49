"""Every address, posted odd values by a user who may do everything: huge ids, huge numbers,
overlong text, impossible dates. Whatever the view does with them, never a 500."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import UserFactory

HUGE = "9" * 20
ODD = {
    "pledges": [HUGE, "1"],
    "members": [HUGE],
    "pk": HUGE,
    "pledge_id": HUGE,
    "version": HUGE,
    "seen": HUGE,
    "up_to": HUGE,
    "count": HUGE,
    "year": HUGE,
    "month": HUGE,
    "half": HUGE,
    "q": HUGE,
    "date": "1900-01-01",
    "deadline": "9999-12-31",
    "ends_on": "0001-01-01",
    "text": "长" * 100_000,
    "reason": "长" * 100_000,
    "measures": "长" * 100_000,
    "action": "approve",
    "form-TOTAL_FORMS": HUGE,
    "form-INITIAL_FORMS": "0",
}


def _addresses(resolver: URLResolver, namespace: str = "") -> list[str]:
    found = []
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":
                continue
            found += _addresses(p, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            converters = getattr(p.pattern, "converters", {})
            kwargs = {
                k: 1 if type(c).__name__ == "IntConverter" else "x" for k, c in converters.items()
            }
            try:
                found.append(reverse(f"{namespace}{p.name}", kwargs=kwargs))
            except Exception:  # noqa: BLE001 - a pattern the sample arguments do not fit
                continue
    return sorted(set(found))


ADDRESSES = _addresses(get_resolver())


@pytest.mark.parametrize("address", ADDRESSES)
def test_it_never_answers_odd_numbers_with_a_500(world, client, address):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.raise_request_exception = False
    response = client.post(address, ODD)
    assert response.status_code < 500


# `next` is where a form sends the user back: only a path on this site, never a URL name
# ("x" was a NoReverseMatch 500, "logout" logged the user out) nor another site.
LOGOUTS = {reverse("logout"), reverse("security:logout_everywhere")}
BAD_NEXT = ["x", "logout", "//evil.example/", "https://evil.example/", "javascript:alert(1)"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_it_never_follows_an_odd_next(world, client, address):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    client.raise_request_exception = False
    for target in BAD_NEXT:
        response = client.post(address, {"next": target})
        assert response.status_code < 500, target
        location = response.headers.get("Location", "")
        assert "evil.example" not in location and not location.startswith("javascript")
        assert location in ("", "/") or location.startswith("/") and location[:2] != "//"
        if address not in LOGOUTS:
            assert client.session.get("_auth_user_id") == str(user.pk), target
