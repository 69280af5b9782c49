"""The site's own address for links that leave it: emails, chat robots, shared pages and
printed QR codes must not depend on the Host a request came with (settings.SITE_URL)."""

from __future__ import annotations

from django.conf import settings


def site_url() -> str:
    """settings.SITE_URL without a trailing slash."""
    return settings.SITE_URL.rstrip("/")


def absolute(path: str) -> str:
    """`path` (starting with /) as a full address on this site."""
    return site_url() + path
