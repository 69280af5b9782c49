"""Who may compose, approve and withdraw notices: plain functions of the user's positions
(pledges.roles.roles_of) and the notice."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of

from ..models import Notice


def can_compose(user, org: Organization) -> bool:
    """The branch secretary for the branch, the office for any organization in its subtree."""
    roles = roles_of(user)
    return roles.covers(org, roles.SECRETARY_KINDS + roles.OFFICE_KINDS)


def can_approve(user, notice: Notice) -> bool:
    """The office over the organization, or the secretary of a higher organization; never
    whoever submitted it."""
    if notice.submitted_by_id is not None and notice.submitted_by_id == user.pk:
        return False
    roles = roles_of(user)
    org = notice.organization
    if notice.kind in (Notice.Kind.ASSESSMENTS, Notice.Kind.SELECTION):
        # Publishing the annual grades makes them final, and the short list of a selection
        # is the office's: the office's decision.
        return roles.covers(org, roles.OFFICE_KINDS)
    return roles.covers(org, roles.OFFICE_KINDS) or roles.covers_strictly(
        org, roles.SECRETARY_KINDS
    )


def can_withdraw(user, notice: Notice) -> bool:
    return can_compose(user, notice.organization)
