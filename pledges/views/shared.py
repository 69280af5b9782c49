"""What every view of the pledge book shares: the move decorator, messages, safe redirects."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from core.access import get_visible_or_404
from core.moves import post_only_on_visible

from ..models import Pledge


def visible_pledge(request: HttpRequest, pk: int) -> Pledge:
    return get_visible_or_404(
        Pledge.objects.select_related("owner_org", "owner_member"), request.user, pk
    )


# A GET (a bookmarked or reloaded move address) shows the pledge instead of an error page.
pledge_move = post_only_on_visible(
    Pledge.objects.select_related("owner_org", "owner_member"), get_shows_object=True
)


def safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only paths on this site: never redirect to another host.
    safe = target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else default


def first_errors(request: HttpRequest, form) -> None:
    """Each invalid field's first error as a message, for forms posted from a list page."""
    for errors in form.errors.values():
        messages.error(request, errors[0])
