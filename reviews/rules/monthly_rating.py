"""Who rates a branch's members each month (每月评比) and who sets what they are rated on."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of
from pledges.rules.organization import can_manage_organization


def can_rate_members(user, org: Organization) -> bool:
    """The branch's own secretary, or the office above it: those who keep its book."""
    return org.is_branch_level and can_manage_organization(user, org)


def can_set_rating_criteria(user, org: Organization) -> bool:
    """A committee's office sets the criteria for the branches under it."""
    roles = roles_of(user)
    return roles.covers(org, roles.OFFICE_KINDS)


def can_view_monthly_rating(user, org: Organization) -> bool:
    """Anyone with a position over the branch reads its sheets (leaders, the committee)."""
    return roles_of(user).covers(org)
