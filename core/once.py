"""One post per form: a retried or double-clicked form must not create things twice.

Each rendered form carries a fresh random token; the first post that claims it wins. The
claim is an atomic cache.add (Redis in production, process memory when embedded).
"""

import uuid

from django.core.cache import cache
from django.http import HttpRequest

TOKEN_FIELD = "form_token"
TOKEN_SECONDS = 24 * 3600


def new_token() -> str:
    return uuid.uuid4().hex


def claim(request: HttpRequest) -> bool:
    """False if this form was already posted. Posts without a token are not deduplicated."""
    token = request.POST.get(TOKEN_FIELD, "")
    if not token:
        return True
    return cache.add(f"form-token:{request.user.pk}:{token[:64]}", 1, TOKEN_SECONDS)
