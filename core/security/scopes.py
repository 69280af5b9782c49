"""What the security log needs to know about organizations, asked of the domain through
callables named in settings, so core imports no domain app.

- `SECURITY_LOG_SCOPES(user) -> list[str] | None`: the organization path prefixes whose lines the
  user may read and export; None means every line (a superuser), [] means none (refused).
- `SECURITY_LOG_USER_PATH(user) -> str`: the organization path a line about this user is filed
  under when the caller gives none (logins, failures, refusals).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


def superusers_only(user) -> list[str] | None:
    """The default scope hook: superusers read everything, nobody else anything."""
    return None if getattr(user, "is_superuser", False) else []


def no_path(user) -> str:
    """The default path hook: lines are filed under no organization."""
    return ""


def allowed_prefixes(user) -> list[str] | None:
    if not getattr(user, "is_authenticated", False):
        return []
    return import_string(settings.SECURITY_LOG_SCOPES)(user)


def user_org_path(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return import_string(settings.SECURITY_LOG_USER_PATH)(user) or ""
