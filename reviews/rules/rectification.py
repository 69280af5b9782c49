"""Who works on and who confirms a rectification item."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of

from ..models import (
    RectificationItem,
    Subject,
)
from .subject import acts_for_subject


def can_work_on_rectification_item(user, item: RectificationItem) -> bool:
    """The subject's side. The reviewer himself may not report his own item done (he would
    then confirm it), except for a member without a login whose book he keeps."""
    if not acts_for_subject(user, Subject.of(item)):
        return False
    if item.review_id is not None and item.review.reviewer_id == user.pk:
        return item.member_id is not None and item.member.user_id is None
    return True


def can_confirm_rectification_item(user, item: RectificationItem) -> bool:
    """整改销号 is the reviewer's: he named the problem. A problem the people raised has no
    reviewer: the office above the organization confirms it."""
    if item.review_id is None:
        roles = roles_of(user)
        return roles.covers(item.organization, roles.OFFICE_KINDS)
    return item.review.reviewer_id == user.pk


def can_raise_rectification_item(user, org: Organization) -> bool:
    """Turn a problem the people raised into a rectification item of the organization: its
    secretary or the office above it."""
    roles = roles_of(user)
    return roles.covers(org, roles.SECRETARY_KINDS + roles.OFFICE_KINDS)
