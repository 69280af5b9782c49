"""Who sees the 全覆盖 dashboard."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of


def can_view_dashboard(user, org: Organization) -> bool:
    """全覆盖 figures are for the office and leaders of the subtree."""
    roles = roles_of(user)
    return roles.covers(org, roles.OVERSIGHT_KINDS)
