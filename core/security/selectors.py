"""Reads of the security log, scoped by organization path prefixes."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from .models import SecurityEvent


def security_events(
    *,
    prefixes: list[str] | None,
    action: str = "",
    username: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[SecurityEvent]:
    """The lines under `prefixes` (None: every line), newest first, optionally filtered."""
    events = SecurityEvent.objects.under(prefixes)
    if action:
        events = events.filter(action=action)
    if username:
        events = events.filter(username=username)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-pk")
