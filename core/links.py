"""The site's own address for links that leave it: emails, chat robots, shared pages and
printed QR codes must not depend on the Host a request came with (settings.SITE_URL)."""

from __future__ import annotations

from django.conf import settings

# What `make run` serves on; `check --deploy` warns while SITE_URL still points here.
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    """settings.SITE_URL (the embedded default when left empty), without a trailing slash."""
    return (settings.SITE_URL or DEFAULT_SITE_URL).rstrip("/")


def absolute(path: str) -> str:
    """`path` (starting with /) as a full address on this site."""
    return site_url() + path
