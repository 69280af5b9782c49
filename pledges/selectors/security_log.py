"""The domain's answers to the security log's two questions, handed to core in
PledgesConfig.ready (`core.security.scopes.register`), so that core never imports pledges."""

from __future__ import annotations

from ..models.position import roles_of
from ..roles import Roles


def office_paths(user) -> list[str] | None:
    """A superuser reads every line; an office its subtree's; anyone else nothing."""
    if user.is_superuser:
        return None
    return roles_of(user).paths(Roles.OFFICE_KINDS)


def user_path(user) -> str:
    """A line about a user is filed under their highest position, else their branch."""
    roles = roles_of(user)
    top = roles.top_position()
    if top is not None:
        return top.path
    return roles.member.organization.path if roles.member else ""
