"""Who opens, nominates in, shortlists and decides a selection round (组织评选)."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of

from ..models import Nomination, SelectionRound
from .subject import holds


def can_open_selection(user, org: Organization) -> bool:
    """The office over the organization opens a round for its subtree."""
    roles = roles_of(user)
    return roles.covers(org, roles.OFFICE_KINDS)


def can_run_selection(user, selection: SelectionRound) -> bool:
    """Short list and decision: the office of the round's organization (or one above)."""
    return can_open_selection(user, selection.organization)


def can_nominate(user, unit: Organization) -> bool:
    """The quota-holding organization's own secretary, or an office over it."""
    roles = roles_of(user)
    return holds(roles, unit.pk, roles.SECRETARY_KINDS) or roles.covers(unit, roles.OFFICE_KINDS)


def can_withdraw_nomination(user, nomination: Nomination) -> bool:
    return can_nominate(user, nomination.unit)
