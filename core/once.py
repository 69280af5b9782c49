"""One post per form: a retried or double-clicked form must not create things twice.

Each rendered form carries a fresh random token; the first post that claims it wins. The
claim is an atomic cache.add (Redis in production, process memory when embedded).

A post without a token (an old page, a script, a form the token was stripped from) is not let
through unchecked: its fingerprint (user, address, posted fields) is claimed for a short while
instead, so the same post sent twice in a row creates one thing. Refusing tokenless posts
outright would also refuse pages opened before a deployment; the fingerprint keeps them working
and still stops the double click.
"""

import hashlib
import uuid

from django.core.cache import cache
from django.http import HttpRequest

TOKEN_FIELD = "form_token"
TOKEN_SECONDS = 24 * 3600
# Long enough for a double click or a browser's resend, short enough that typing the same
# progress record again later (a new visit, a new month) is not mistaken for a repeat.
FINGERPRINT_SECONDS = 120


def new_token() -> str:
    return uuid.uuid4().hex


def claim(request: HttpRequest) -> bool:
    """False if this form was already posted (by its token, else by its fingerprint)."""
    token = request.POST.get(TOKEN_FIELD, "")
    if not token:
        return cache.add(_fingerprint(request), 1, FINGERPRINT_SECONDS)
    return cache.add(f"form-token:{request.user.pk}:{token[:64]}", 1, TOKEN_SECONDS)


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.user.pk}|{request.path}".encode())
    for key in sorted(request.POST):
        if key != "csrfmiddlewaretoken":
            digest.update(f"|{key}={request.POST.getlist(key)}".encode("utf-8", "replace"))
    for key in sorted(request.FILES):
        digest.update(f"|{key}:{[f.name for f in request.FILES.getlist(key)]}".encode())
    return f"form-print:{digest.hexdigest()[:40]}"


def first_time(scope: str, *parts: str, seconds: int) -> bool:
    """False if the same `parts` were already claimed under `scope` within `seconds`.

    An atomic cache.add: of many identical posts arriving at once, exactly one is first.
    """
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()
    return cache.add(f"once:{scope}:{digest[:40]}", 1, seconds)
