"""What a committee's calendar (pledges.models.calendar) means for reviews: the grade words of
its scale, the period a review belongs to under its cadence, and what counts as "the year is
under way" on the reviews' side.

好/中/差 is stored on the same scale as 好/较好/一般/差 (one column, one set of codes, so
figures, ledgers and the annual assessment read every review alike): 好 is "good", 中 is
"average" (一般) and 差 is "poor"; "fairly good" (较好) is not offered on the three-step scale.
Where the three-step scale applies, "average" is shown as 中.

A half-yearly cadence (半年一点评) keeps the review's (year, quarter) columns: a review of the
first half is filed under the second quarter, of the second half under the fourth, so "one
review per reviewer, subject and period" is the existing unique key and the periods' figures
read the same index.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pledges.models import Calendar
from pledges.selectors.calendar import YearCalendar, calendar_for

from ..models import MassEvaluation, Quarter, Review, SelfEvaluation
from ..models.subject import Grade

THREE_STEP = {Grade.GOOD: _("好"), Grade.AVERAGE: _("中"), Grade.POOR: _("差")}


def grade_choices(scale: str) -> list[tuple[str, str]]:
    if scale == Calendar.GradeScale.THREE:
        return list(THREE_STEP.items())
    return list(Grade.choices)


def grade_label(code: str, scale: str) -> str:
    """The word for a stored grade on the scale in force ("" for none)."""
    if not code:
        return ""
    if scale == Calendar.GradeScale.THREE and code in THREE_STEP:
        return str(THREE_STEP[code])
    return str(dict(Grade.choices).get(code, code))


def review_period(quarter: Quarter, calendar: YearCalendar) -> Quarter:
    """The (year, quarter) a review made in `quarter` is filed under (see the module)."""
    if calendar.half_yearly_reviews:
        return Quarter(quarter.year, 2 if quarter.quarter <= 2 else 4)
    return quarter


def period_start(period: Quarter, calendar: YearCalendar) -> datetime.date:
    if calendar.half_yearly_reviews:
        return Quarter(period.year, period.quarter - 1).start
    return period.start


def period_label(period: Quarter, calendar: YearCalendar) -> str:
    if calendar.half_yearly_reviews:
        half = _("上半年") if period.quarter <= 2 else _("下半年")
        return _("%(year)d年%(half)s") % {"year": period.year, "half": half}
    return str(period.label)


def is_review_quarter(quarter: Quarter, calendar: YearCalendar) -> bool:
    """A quarter a review is owed at its end: every quarter, or the second and fourth."""
    return not calendar.half_yearly_reviews or quarter.quarter in (2, 4)


def reviews_under_way(area: Callable[[str], Q], year: int) -> str:
    """The reviews' check for pledges.rules.calendar: a report, review or evaluation of the
    year in the area."""
    found = [
        label
        for model, label in (
            (Review, _("领导点评")),
            (SelfEvaluation, _("自查自评")),
            (MassEvaluation, _("群众评议")),
        )
        if model.objects.filter(area("organization__path"), year=year).exists()
    ]
    return "、".join(str(f) for f in found)


def calendar_of(organization, year: int) -> YearCalendar:
    """The calendar an organization's reviews follow in `year` (cached per request)."""
    return calendar_for(organization, year)


def period_of(organization, quarter: Quarter) -> Quarter:
    """The period a report or review of `organization` made in `quarter` is filed under."""
    return review_period(quarter, calendar_for(organization, quarter.year))
