"""Who records, publishes and sees 一年一总评."""

from __future__ import annotations

from pledges.models import Member, Organization
from pledges.models.position import roles_of


def can_record_assessment(user, org: Organization, *, member: Member | None = None) -> bool:
    """一年一总评 is decided above: an organization by the office of a higher organization,
    a member by the office over the member's organization."""
    roles = roles_of(user)
    if member is not None:
        return roles.covers(org, roles.OFFICE_KINDS)
    return roles.covers_strictly(org, roles.OFFICE_KINDS)


def can_publish_assessments(user, org: Organization) -> bool:
    """公示 of the year's grades under an organization: its office (or one above)."""
    roles = roles_of(user)
    return roles.covers(org, roles.OFFICE_KINDS)


def can_view_assessment(user, org: Organization) -> bool:
    """The year page: anyone with a position over the organization (read-only unless office)."""
    return roles_of(user).covers(org)
