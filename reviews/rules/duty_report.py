"""Who writes a 述职 and who enters the 测评 of those present."""

from __future__ import annotations

from pledges.models import Member, Organization
from pledges.models.position import roles_of

from ..models import DutyReport, Subject, SubjectKind
from .subject import acts_for_subject


def _subject(org: Organization, member: Member | None) -> Subject:
    if member is not None:
        return Subject(SubjectKind.MEMBER, org, member)
    return Subject(SubjectKind.SECRETARY, org)


def can_write_duty_report(user, org: Organization, member: Member | None = None) -> bool:
    """The one who reports: the organization's secretary, or the member (or, for a member
    without a login, the branch secretary who keeps the book on his behalf)."""
    return acts_for_subject(user, _subject(org, member))


def can_tally_duty_report(user, report: DutyReport) -> bool:
    """The 测评 is counted from paper at the meeting: entered by the organization's secretary
    (who held the meeting) or by the office above."""
    roles = roles_of(user)
    if roles.covers(report.organization, roles.OFFICE_KINDS):
        return True
    return report.organization_id in roles.org_ids(roles.SECRETARY_KINDS)


def can_view_duty_reports(user, org: Organization) -> bool:
    """The year's list of 述职 under an organization: anyone with a position over it."""
    return roles_of(user).covers(org)
