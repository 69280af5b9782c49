"""Where a form sends the user back to (`next`): only a path on this site.

Every `next` the project reads goes through here (`safe_next`; Django's login, logout and
language views are given it too). A value that is not a path ("x",
"logout") would otherwise be taken by `redirect()` for a URL name — a 500 for an unknown name,
a logout for a known one — and a full URL could send the user to another site.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import i18n


def safe_next(request: HttpRequest, default: str) -> str:
    """The posted (else queried) `next` if it is a path on this host, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if _on_this_site(request, target) else default


def _on_this_site(request: HttpRequest, target: str) -> bool:
    return (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, with its `next` checked here too (an unsafe one is dropped,
    so Django falls back to the page the switch was clicked on)."""
    for name in ("POST", "GET"):
        params = getattr(request, name)
        if "next" in params and not _on_this_site(request, params["next"]):
            params = params.copy()
            del params["next"]
            setattr(request, name, params)
    return i18n.set_language(request)
