"""Who may moderate the opinion box: a plain function of the user's positions."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of


def can_moderate(user, org: Organization) -> bool:
    """The opinion box of an organization: its secretary and the office above it."""
    roles = roles_of(user)
    return roles.covers(org, roles.SECRETARY_KINDS + roles.OFFICE_KINDS)
