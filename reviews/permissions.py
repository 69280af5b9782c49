"""Who may review whom, write reports, act on rectification and see what.

"谁联系、谁分管、谁点评": a leader reviews the organizations he is linked to or supervises and
their secretaries; a higher organization's head (its secretary) reviews the organizations
directly under it; a branch secretary reviews each member of the branch. Everything is a plain
function of `roles_of(user)` (positions read once per request) and the object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from pledges.models import Organization
from pledges.permissions import Roles, roles_of

if TYPE_CHECKING:
    from pledges.models import Member

    from .models import RectificationItem, Review, SelfEvaluation, Subject, SuggestionLetter

NOTHING = Q(pk__in=[])


def _parent_path(org: Organization) -> str:
    return org.path[: -Organization.steplen]


def _holds(roles: Roles, org_id: int, kinds: tuple[str, ...]) -> bool:
    return org_id in roles.org_ids(kinds)


def is_head_of_parent(roles: Roles, org: Organization) -> bool:
    """The user is the secretary of the organization directly above `org`."""
    parent = _parent_path(org)
    return bool(parent) and parent in roles.paths(roles.SECRETARY_KINDS)


# --- reviewing ---------------------------------------------------------------------------


def can_review(user, subject: Subject) -> bool:
    """The relationship in the pledge book, nothing wider: an unlinked leader may not review."""
    from .models import SubjectKind

    roles = roles_of(user)
    org = subject.organization
    if subject.kind == SubjectKind.MEMBER:
        own = roles.member is not None and roles.member.pk == subject.member.pk
        return not own and _holds(roles, subject.member.organization_id, roles.SECRETARY_KINDS)
    if _holds(roles, org.pk, roles.LEADER_KINDS):
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
    """点评情况登记表 and 整改台账 are the office's ledgers for its subtree."""
    roles = roles_of(user)
    return roles.covers(org, roles.OFFICE_KINDS)


def can_publish_review(user, review: Review) -> bool:
    roles = roles_of(user)
    return review.reviewer_id == user.pk or roles.covers(review.organization, roles.OFFICE_KINDS)


# --- self-evaluation and rectification (the subject's side) ------------------------------


def acts_for_subject(user, subject: Subject) -> bool:
    """The subject itself: the organization's secretary, or the member (or, for a member
    without a login, the branch secretary who keeps the book on his behalf)."""
    from .models import SubjectKind

    roles = roles_of(user)
    if subject.kind == SubjectKind.MEMBER:
        if roles.member is not None and roles.member.pk == subject.member.pk:
            return True
        return _holds(roles, subject.member.organization_id, roles.SECRETARY_KINDS)
    return _holds(roles, subject.organization.pk, roles.SECRETARY_KINDS)


def can_write_report(user, subject: Subject) -> bool:
    return acts_for_subject(user, subject)


def can_work_on_item(user, item: RectificationItem) -> bool:
    """The subject's side. The reviewer himself may not report his own item done (he would
    then confirm it), except for a member without a login whose book he keeps."""
    from .models import Subject

    if not acts_for_subject(user, Subject.of(item)):
        return False
    if item.review_id is not None and item.review.reviewer_id == user.pk:
        return item.member_id is not None and item.member.user_id is None
    return True


def can_confirm_item(user, item: RectificationItem) -> bool:
    """整改销号 is the reviewer's: he named the problem. A problem the people raised has no
    reviewer: the office above the organization confirms it."""
    if item.review_id is None:
        roles = roles_of(user)
        return roles.covers(item.organization, roles.OFFICE_KINDS)
    return item.review.reviewer_id == user.pk


def can_raise_item(user, org: Organization) -> bool:
    """Turn a problem the people raised into a rectification item of the organization: its
    secretary or the office above it."""
    roles = roles_of(user)
    return roles.covers(org, roles.SECRETARY_KINDS + roles.OFFICE_KINDS)


# --- suggestion letters ------------------------------------------------------------------


def can_issue_letter(user, member: Member) -> bool:
    """The member's branch secretary, never to himself."""
    roles = roles_of(user)
    if member.user_id is not None and member.user_id == user.pk:
        return False
    return _holds(roles, member.organization_id, roles.SECRETARY_KINDS)


def can_reply_letter(user, letter: SuggestionLetter) -> bool:
    roles = roles_of(user)
    if roles.member is not None and roles.member.pk == letter.member_id:
        return True
    # A member without a login replies on paper; the secretary records it.
    return letter.member.user_id is None and can_issue_letter(user, letter.member)


def can_close_letter(user, letter: SuggestionLetter) -> bool:
    return letter.issued_by_id == user.pk or can_issue_letter(user, letter.member)


# --- row access (used by the models' visible_to) ------------------------------------------


def _scope_q(roles: Roles, lookup: str = "organization__path") -> Q | None:
    return roles.subtree_q(lookup)


def review_visibility_q(user) -> Q:
    from .models import Review, SubjectKind

    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if user.is_superuser:
        return Q()
    roles = roles_of(user)
    q = Q(reviewer=user)
    scope = _scope_q(roles)
    if scope is not None:
        # Drafts are the reviewer's own working copy.
        q |= scope & ~Q(status=Review.Status.DRAFT)
    if roles.member is not None:
        q |= Q(member=roles.member) & ~Q(status=Review.Status.DRAFT)
        q |= Q(
            organization_id=roles.member.organization_id,
            subject_kind__in=[SubjectKind.ORGANIZATION, SubjectKind.SECRETARY],
            status=Review.Status.PUBLISHED,
        )
    return q


def report_visibility_q(user) -> Q:
    from .models import SelfEvaluation

    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if user.is_superuser:
        return Q()
    roles = roles_of(user)
    q = Q(author=user)
    book = roles.subtree_q("organization__path", roles.SECRETARY_KINDS)
    if book is not None:
        q |= book
    oversight = roles.subtree_q("organization__path", roles.OVERSIGHT_KINDS)
    if oversight is not None:
        q |= oversight & Q(status=SelfEvaluation.Status.SUBMITTED)
    if roles.member is not None:
        q |= Q(member=roles.member)
    return q


def item_visibility_q(user) -> Q:
    from .models.review import NOT_ISSUED_Q

    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if user.is_superuser:
        return Q()
    roles = roles_of(user)
    q = Q(review__reviewer=user)
    signed = ~NOT_ISSUED_Q
    scope = _scope_q(roles)
    if scope is not None:
        q |= scope & signed
    if roles.member is not None:
        q |= Q(member=roles.member) & signed
    return q


def letter_visibility_q(user) -> Q:
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if user.is_superuser:
        return Q()
    roles = roles_of(user)
    q = NOTHING
    scope = _scope_q(roles)
    if scope is not None:
        q |= scope
    if roles.member is not None:
        q |= Q(member=roles.member)
    return q


def can_view_report(user, report: SelfEvaluation) -> bool:
    from .models import SelfEvaluation

    return SelfEvaluation.objects.visible_to(user).filter(pk=report.pk).exists()


# --- mass evaluation, annual assessment, dashboard (helper "evaluations") -----------------


def can_run_mass_evaluation(user, org: Organization) -> bool:
    """Open a 群众评议, issue codes, close it: the secretary or the office above."""
    roles = roles_of(user)
    return roles.covers(org, roles.SECRETARY_KINDS + roles.OFFICE_KINDS)


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


def can_view_dashboard(user, org: Organization) -> bool:
    """全覆盖 figures are for the office and leaders of the subtree."""
    roles = roles_of(user)
    return roles.covers(org, roles.OVERSIGHT_KINDS)
