"""Who acts for a subject and who heads an organization: the relationships every sub-area's
rules start from.

"谁联系、谁分管、谁点评": a leader reviews the organizations he is linked to or supervises and
their secretaries; a higher organization's head (its secretary) reviews the organizations
directly under it; a branch secretary reviews each member of the branch. Every rule is a plain
function of `roles_of(user)` (positions read once per request) and the object; row access is
each model's `visible_to`."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of
from pledges.roles import Roles

from ..models import (
    Subject,
    SubjectKind,
)


def parent_path(org: Organization) -> str:
    return org.path[: -Organization.steplen]


def holds(roles: Roles, org_id: int, kinds: tuple[str, ...]) -> bool:
    return org_id in roles.org_ids(kinds)


def is_head_of_parent(roles: Roles, org: Organization) -> bool:
    """The user is the secretary of the organization directly above `org`."""
    parent = parent_path(org)
    return bool(parent) and parent in roles.paths(roles.SECRETARY_KINDS)


def acts_for_subject(user, subject: Subject) -> bool:
    """The subject itself: the organization's secretary, or the member (or, for a member
    without a login, the branch secretary who keeps the book on his behalf)."""
    roles = roles_of(user)
    if subject.kind == SubjectKind.MEMBER:
        if roles.member is not None and roles.member.pk == subject.member.pk:
            return True
        return holds(roles, subject.member.organization_id, roles.SECRETARY_KINDS)
    return holds(roles, subject.organization.pk, roles.SECRETARY_KINDS)
