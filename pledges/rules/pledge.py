"""Who may enter, approve, run a pledge and record its progress: plain functions of
`roles_of(user)` and the pledge, so views, services and tests share them."""

from __future__ import annotations

from ..models import Pledge
from ..models.position import roles_of
from .organization import can_manage_organization


def is_owner(user, pledge: Pledge) -> bool:
    member = roles_of(user).member
    return member is not None and pledge.owner_member_id == member.pk


def can_edit_pledge(user, pledge: Pledge) -> bool:
    """Enter or change a pledge before approval: its member, or whoever keeps the book."""
    return is_owner(user, pledge) or can_manage_organization(user, pledge.owner_org)


def can_approve_pledge(user, pledge: Pledge) -> bool:
    """审诺: a member's pledge by the branch secretary (or the office above); an
    organization's own pledge by the office or a leader of a higher organization.
    Nobody approves their own pledge."""
    roles = roles_of(user)
    if is_owner(user, pledge):
        return False
    if pledge.owner_member_id is not None:
        return can_manage_organization(user, pledge.owner_org)
    return roles.covers_strictly(pledge.owner_org, roles.OVERSIGHT_KINDS + roles.SECRETARY_KINDS)


def can_run_pledge(user, pledge: Pledge) -> bool:
    """Publish, close, declare unfulfilled, amend, carry over: whoever keeps the book."""
    return can_manage_organization(user, pledge.owner_org)


def can_record_progress(user, pledge: Pledge) -> bool:
    return is_owner(user, pledge) or can_manage_organization(user, pledge.owner_org)


def can_publish_progress(user, pledge: Pledge) -> bool:
    """Which 记实 and photos the people see: whoever keeps the book (the secretary), not the
    member himself: a record he wrote may name others."""
    return can_manage_organization(user, pledge.owner_org)
