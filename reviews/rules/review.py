"""Who reviews whom, edits, publishes and spot-checks leader reviews."""

from __future__ import annotations

from pledges.models import Organization
from pledges.models.position import roles_of

from ..models import (
    Review,
    Subject,
    SubjectKind,
)
from .subject import holds, is_head_of_parent


def can_review(user, subject: Subject) -> bool:
    """The relationship in the pledge book, nothing wider: an unlinked leader may not review."""
    roles = roles_of(user)
    org = subject.organization
    if subject.kind == SubjectKind.MEMBER:
        own = roles.member is not None and roles.member.pk == subject.member.pk
        return not own and holds(roles, subject.member.organization_id, roles.SECRETARY_KINDS)
    if holds(roles, org.pk, roles.LEADER_KINDS):
        return True
    return subject.kind == SubjectKind.ORGANIZATION and is_head_of_parent(roles, org)


def can_edit_review(user, review: Review) -> bool:
    return review.reviewer_id == user.pk


def can_spot_check(user, review: Review) -> bool:
    """抽查: the office above the subject, never the reviewer himself."""
    roles = roles_of(user)
    if review.reviewer_id == user.pk:
        return False
    return roles.covers(review.organization, roles.OFFICE_KINDS)


def can_export_review_ledgers(user, org: Organization) -> bool:
    """点评情况登记表 and 整改台账 of a subtree: its office, the leaders who review there and
    its secretary (his own branch); the rows are those each may see."""
    roles = roles_of(user)
    return roles.covers(org, roles.OVERSIGHT_KINDS + roles.SECRETARY_KINDS)


def can_publish_review(user, review: Review) -> bool:
    roles = roles_of(user)
    return review.reviewer_id == user.pk or roles.covers(review.organization, roles.OFFICE_KINDS)
