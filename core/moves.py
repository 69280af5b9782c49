"""The shape every move view shares: one visible object, POST only, its outcome flashed.

A move view reads

    @post_only_on_visible(Review.objects.for_detail())
    def review_sign(request, review):
        with flash_outcome(request, _("点评已签认")):
            services.review_sign(review=review, by=request.user)
        return redirect(review)

so the fetch (404 for an object the user may not see), the method check and the message live
here once, and a view keeps only what is its own: the input, the service, where to go next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .access import get_visible_or_404
from .errors import TransitionError

T = TypeVar("T", bound=models.Model)


def post_only_on_visible(
    queryset: models.QuerySet[T] | type[T], *, get_shows_object: bool = False
) -> Callable[[Callable[[HttpRequest, T], HttpResponse]], Callable[..., HttpResponse]]:
    """A POST-only move on the object at `pk` the user may see (else 404).

    With `get_shows_object`, a GET (a bookmarked or reloaded move address) redirects to the
    object instead of answering 405.
    """

    def decorate(view: Callable[[HttpRequest, T], HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
            if request.method != "POST" and not get_shows_object:
                return HttpResponseNotAllowed(["POST"])
            obj = get_visible_or_404(queryset, request.user, pk)
            if request.method != "POST":
                return redirect(obj)
            return view(request, obj)

        return wrapper

    return decorate


@contextmanager
def flash_outcome(request: HttpRequest, done: str) -> Iterator[None]:
    """Say `done` if the block's service call went through, or why it was refused."""
    try:
        yield
    except TransitionError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, done)


def valid_or_refuse(form) -> dict:
    """The form's cleaned data, or a TransitionError carrying its first error (inside
    `flash_outcome`, that error becomes the message and nothing changes)."""
    if form.is_valid():
        return form.cleaned_data
    errors = [str(e) for field in form.errors.values() for e in field]
    raise TransitionError(errors[0] if errors else _("输入有误"))
