"""Who issues, answers and closes a suggestion letter."""

from __future__ import annotations

from pledges.models import Member
from pledges.models.position import roles_of

from ..models import (
    SuggestionLetter,
)
from .subject import holds


def can_issue_letter(user, member: Member) -> bool:
    """The member's branch secretary, never to himself."""
    roles = roles_of(user)
    if member.user_id is not None and member.user_id == user.pk:
        return False
    return holds(roles, member.organization_id, roles.SECRETARY_KINDS)


def can_reply_letter(user, letter: SuggestionLetter) -> bool:
    roles = roles_of(user)
    if roles.member is not None and roles.member.pk == letter.member_id:
        return True
    # A member without a login replies on paper; the secretary records it.
    return letter.member.user_id is None and can_issue_letter(user, letter.member)


def can_close_letter(user, letter: SuggestionLetter) -> bool:
    return letter.issued_by_id == user.pk or can_issue_letter(user, letter.member)
