"""The client's address, for the security log and for login lockout."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(raw: str) -> str:
    raw = raw.strip()
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return ""


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR; behind a trusted proxy (`TRUSTED_PROXY`), the first X-Forwarded-For hop.

    Only trust the header when the proxy overwrites it (nginx: `X-Forwarded-For $remote_addr`,
    see deploy/): otherwise anyone could pick the address they are logged and locked out under.
    """
    if settings.TRUSTED_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        first = _valid(forwarded.split(",")[0]) if forwarded else ""
        if first:
            return first
    return _valid(request.META.get("REMOTE_ADDR", ""))
