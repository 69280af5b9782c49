"""Refuse control characters in query strings and form posts before any view reads them.

A NUL byte in a text value is a DataError (a 500) on PostgreSQL, and other C0 control characters
are never typed by a person. Forms could say so next to the field, but many moves read a reason
straight from the POST; this catches every path at one depth. Tab, CR and LF stay allowed.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def has_control_chars(text: str) -> bool:
    return bool(CONTROL_CHARS.search(text))


def _bad_values(query) -> bool:
    return any(
        has_control_chars(key) or any(has_control_chars(v) for v in values)
        for key, values in query.lists()
    )


def _back(request: HttpRequest) -> str:
    """The page the form was on (a link, not script: the CSP allows no inline script)."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "/"


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _bad_values(request.GET) or (request.method == "POST" and _bad_values(request.POST)):
            return render(
                request, "core/control_characters.html", {"back": _back(request)}, status=400
            )
        return self.get_response(request)
