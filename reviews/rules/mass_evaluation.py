"""Who runs a 群众评议."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of


def can_run_mass_evaluation(user, org: Organization) -> bool:
    """Open a 群众评议, issue codes, close it: the secretary or the office above."""
    roles = roles_of(user)
    return roles.covers(org, roles.SECRETARY_KINDS + roles.OFFICE_KINDS)


def can_export_mass_evaluations(user, org: Organization) -> bool:
    """群众评议情况统计表 across a subtree: whoever sees its evaluations (secretary, office,
    leaders)."""
    roles = roles_of(user)
    return roles.covers(org, roles.OVERSIGHT_KINDS + roles.SECRETARY_KINDS)
