"""What the security log needs to know about organizations, asked of the domain through the
two callables it registers in its `AppConfig.ready()` (`register`), so core imports no domain app.

- `scopes(user) -> list[str] | None`: the organization path prefixes whose lines the user may
  read and export; None means every line (a superuser), [] means none (refused).
- `user_path(user) -> str`: the organization path a line about this user is filed under when
  the caller gives none (logins, failures, refusals).
"""

from __future__ import annotations

from collections.abc import Callable


def superusers_only(user) -> list[str] | None:
    """The default scope hook: superusers read everything, nobody else anything."""
    return None if getattr(user, "is_superuser", False) else []


def no_path(user) -> str:
    """The default path hook: lines are filed under no organization."""
    return ""


_hooks: dict[str, Callable] = {"scopes": superusers_only, "user_path": no_path}


def register(*, scopes: Callable[..., list[str] | None], user_path: Callable[..., str]) -> None:
    """Called once, from the domain's AppConfig.ready()."""
    _hooks.update(scopes=scopes, user_path=user_path)


def allowed_prefixes(user) -> list[str] | None:
    if not getattr(user, "is_authenticated", False):
        return []
    return _hooks["scopes"](user)


def user_org_path(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return _hooks["user_path"](user) or ""
