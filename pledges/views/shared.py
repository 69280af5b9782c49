"""What every view of the pledge book shares: the move decorator, messages, safe redirects."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from core.access import get_visible_or_404
from core.errors import TransitionError

from ..models import Pledge

PledgeMove = Callable[[HttpRequest, Pledge], HttpResponse]


def visible_pledge(request: HttpRequest, pk: int) -> Pledge:
    return get_visible_or_404(
        Pledge.objects.select_related("owner_org", "owner_member"), request.user, pk
    )


def pledge_move(view: PledgeMove) -> Callable[[HttpRequest, int], HttpResponse]:
    """A move on one pledge: the pledge the user may see (else 404), and only on POST.

    A GET (a bookmarked or reloaded move address) shows the pledge instead of an error page.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        pledge = visible_pledge(request, pk)
        if request.method != "POST":
            return redirect(pledge)
        return view(request, pledge)

    return wrapper


@contextmanager
def reported(request: HttpRequest, done: str) -> Iterator[None]:
    """Say `done` if the block's service call went through, or why it was refused."""
    try:
        yield
    except TransitionError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, done)


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
