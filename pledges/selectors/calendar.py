"""The calendar an organization follows in a year: its own row, else its nearest ancestor's,
else the defaults (see pledges.models.calendar).

Every row of a year is read in one query and kept for the request (core.request_memo): an
organization's calendar is then a walk up its path in memory, so a page of 7,000 branches asks
one query, not 7,000. The rows of a year are few (one per committee that set its own).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from core.request_memo import remembered

from ..models import Calendar, Organization
from ..models.calendar import default_filing_dates

MEMO_KEY = "calendar"


@dataclass(frozen=True)
class YearCalendar:
    """What an organization follows in a year, and where it comes from."""

    year: int
    pledge_period: str = Calendar.PledgePeriod.YEAR
    review_cadence: str = Calendar.ReviewCadence.QUARTER
    mass_evaluation_cadence: str = Calendar.EvaluationCadence.HALF
    grade_scale: str = Calendar.GradeScale.FOUR
    filing_first_half: datetime.date | None = None
    filing_second_half: datetime.date | None = None
    # The organization whose row this is (None: the defaults).
    source_id: int | None = None
    source_name: str = ""

    @classmethod
    def defaults(cls, year: int) -> YearCalendar:
        first, second = default_filing_dates(year)
        return cls(year=year, filing_first_half=first, filing_second_half=second)

    @classmethod
    def of_row(cls, row: Calendar, source_name: str) -> YearCalendar:
        return cls(
            year=row.year,
            **{name: getattr(row, name) for name in Calendar.FIELDS},
            source_id=row.organization_id,
            source_name=source_name,
        )

    @property
    def half_yearly_reviews(self) -> bool:
        return self.review_cadence == Calendar.ReviewCadence.HALF

    @property
    def half_yearly_pledges(self) -> bool:
        return self.pledge_period == Calendar.PledgePeriod.HALF

    @property
    def yearly_mass_evaluation(self) -> bool:
        return self.mass_evaluation_cadence == Calendar.EvaluationCadence.YEAR

    def label(self, field: str) -> str:
        return str(dict(Calendar._meta.get_field(field).choices)[getattr(self, field)])


def _year_rows(year: int) -> dict[str, YearCalendar]:
    def load() -> dict[str, YearCalendar]:
        rows = Calendar.objects.filter(year=year).select_related("organization")
        return {r.organization.path: YearCalendar.of_row(r, r.organization.name) for r in rows}

    return remembered((MEMO_KEY, year), load)


def _resolve(path: str, rows: dict[str, YearCalendar], year: int) -> YearCalendar:
    step = Organization.steplen
    for end in range(len(path), 0, -step):
        found = rows.get(path[:end])
        if found is not None:
            return found
    return YearCalendar.defaults(year)


def calendar_for(organization: Organization, year: int) -> YearCalendar:
    """The calendar `organization` follows in `year` (one query per request and year)."""
    return _resolve(organization.path, _year_rows(year), year)


def calendars_for(organizations: Iterable[Organization], year: int) -> dict[int, YearCalendar]:
    """organization id → its calendar in `year`, for a page of many (one query in all)."""
    rows = _year_rows(year)
    return {org.pk: _resolve(org.path, rows, year) for org in organizations}


def calendar_by_path(path: str, year: int) -> YearCalendar:
    """As calendar_for, for a caller that holds the path (a ledger row, a reminder rule)."""
    return _resolve(path, _year_rows(year), year)


def inherited_calendar(organization: Organization, year: int) -> YearCalendar:
    """What the organization would follow without a row of its own: its nearest ancestor's
    calendar, else the defaults (resolved from its parent's path; the root's is empty)."""
    return calendar_by_path(organization.path[: -Organization.steplen], year)


def calendars_in_subtree(
    organization: Organization, year: int
) -> tuple[YearCalendar, dict[str, YearCalendar]]:
    """The calendar `organization` follows in `year`, and path → calendar of each organization
    under it that set its own: from the rows `calendar_for` reads (one query per request)."""
    rows = _year_rows(year)
    prefix = organization.path
    below = {path: c for path, c in rows.items() if path.startswith(prefix) and path != prefix}
    return _resolve(prefix, rows, year), below


def filing_due_dates(organization: Organization, year: int) -> tuple[datetime.date, datetime.date]:
    """备案 due dates of `year`: (first half's, second half's), e.g. (7月15日, 次年1月15日)."""
    calendar = calendar_for(organization, year)
    return calendar.filing_first_half, calendar.filing_second_half


def own_calendar(organization: Organization, year: int) -> Calendar | None:
    """The organization's own row for the year (what its office edits), if it set one."""
    return Calendar.objects.filter(organization=organization, year=year).first()


def own_years(organization: Organization) -> list[Calendar]:
    """Every year the organization set its own calendar, newest first."""
    return list(Calendar.objects.filter(organization=organization).order_by("-year"))


def own_calendars_below(organization: Organization, year: int) -> list[Calendar]:
    """The organizations under this one that set their own calendar for the year."""
    return list(
        Calendar.objects.filter(year=year, organization__path__startswith=organization.path)
        .exclude(organization=organization)
        .select_related("organization")
        .order_by("organization__path")
    )


def calendar_resolver(year: int) -> Callable[[str], YearCalendar]:
    """path → calendar in `year`, for a rule that walks every organization of a city: the
    year's rows are read once (one query) and each path resolved in memory."""
    rows = Calendar.objects.filter(year=year).select_related("organization")
    by_path = {r.organization.path: YearCalendar.of_row(r, r.organization.name) for r in rows}
    return lambda path: _resolve(path, by_path, year)
