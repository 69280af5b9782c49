"""备案: who files, who receives or returns, who sees the status of a subtree; when a half-year
is due and from when it may be filed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.periods import Period
from pledges.models import Organization
from pledges.models.position import roles_of
from pledges.selectors.calendar import filing_due_dates

from ..models import Filing
from .subject import holds

# "应于每年1月中旬和7月中旬报送": the first half by 15 July, the second by 15 January after it.
DEFAULT_DUE = {1: (0, 7, 15), 2: (1, 1, 15)}
# A half may be filed from the first day of its last month (a branch that closes its books
# in late June files then), never earlier.
LAST_MONTH = {1: 6, 2: 12}


def filing_due(committee: Organization | None, year: int, half: int) -> datetime.date:
    """The day a half-year's filing is due with `committee` (None: the default dates).

    The one lookup of a due date: the committee's calendar (its own, or the nearest
    ancestor's) sets it; the sources' mid-July / mid-January when none did."""
    if committee is not None:
        return filing_due_dates(committee, year)[half - 1]
    years_after, month, day = DEFAULT_DUE[half]
    return datetime.date(year + years_after, month, day)


def filing_opens(year: int, half: int) -> datetime.date:
    return datetime.date(year, LAST_MONTH[half], 1)


def is_open_for_filing(period: Period, today: datetime.date | None = None) -> bool:
    return (today or timezone.localdate()) >= filing_opens(period.year, period.half)


def latest_period(today: datetime.date | None = None) -> Period:
    """The half-year whose filing is due next or was due last: the first half from its last
    month (June) to the end of November, else the second half (December to May)."""
    today = today or timezone.localdate()
    if 6 <= today.month <= 11:
        return Period(today.year, half=1)
    return Period(today.year if today.month == 12 else today.year - 1, half=2)


def files_with_committee(org: Organization) -> bool:
    """Branches file (党支部, and 党小组 directly under a committee files as one)."""
    return org.level == Organization.Level.BRANCH


def can_file(user, org: Organization) -> bool:
    """The branch's own secretary files its half-year (and files it again after a return)."""
    roles = roles_of(user)
    return files_with_committee(org) and holds(roles, org.pk, roles.SECRETARY_KINDS)


def can_decide_filing(user, filing: Filing) -> bool:
    """Receive or return: an office above the branch."""
    roles = roles_of(user)
    return roles.covers_strictly(filing.organization, roles.OFFICE_KINDS)


def can_view_filing_status(user, org: Organization) -> bool:
    """Who filed under an organization: its office and its leaders, and for a committee (not
    a branch) the secretaries at or above it, who answer for its 党建."""
    roles = roles_of(user)
    if roles.covers(org, roles.OVERSIGHT_KINDS):
        return True
    return org.level != Organization.Level.BRANCH and roles.covers(org, roles.SECRETARY_KINDS)
