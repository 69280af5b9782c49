"""A committee's own calendar and scales for a year (一诺三评三公开 as it runs there).

One row per (organization, year), set by an office for its subtree: the pledge period, the
cadence of leader reviews and of mass evaluation, the review grade scale and the two filing
dates (备案). An organization without a row of its own follows its nearest ancestor that has
one, and with none the defaults below (the sources' common rhythm: 一年一诺, 一季一点评, 半年一
评议, 好/较好/一般/差, 备案 by 7月15日 and 次年1月15日). Read through
`pledges.selectors.calendar.calendar_for`, never from these rows directly.

It lives in pledges, not reviews, because pledges read it too (the pledge period) and the
dependencies point one way (publicity → reviews → pledges → core); the review-specific values
are stored here as plain codes, and reviews says what they mean (reviews.rules.grade_scale).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.versions import Versioned

from ..roles import Roles
from .organization import Organization
from .position import visible_q

__all__ = ["Calendar", "default_filing_dates"]


def default_filing_dates(year: int) -> tuple[datetime.date, datetime.date]:
    """备案 of the first half by 7月15日, of the second by 次年1月15日 (a bureau's rules)."""
    return datetime.date(year, 7, 15), datetime.date(year + 1, 1, 15)


class CalendarQuerySet(models.QuerySet):
    def visible_to(self, user) -> CalendarQuerySet:
        """The rows of the user's scope and of its ancestors (which it inherits from)."""
        return self.filter(visible_q(user, _calendar_rows))


def _calendar_rows(roles: Roles) -> Q:
    return roles.within("organization__path")


class Calendar(Versioned):
    class PledgePeriod(models.TextChoices):
        YEAR = "year", _("一年一诺")
        HALF = "half", _("半年一诺")

    class ReviewCadence(models.TextChoices):
        QUARTER = "quarter", _("一季一点评")
        HALF = "half", _("半年一点评")

    class EvaluationCadence(models.TextChoices):
        YEAR = "year", _("一年一评议")
        HALF = "half", _("半年一评议")

    class GradeScale(models.TextChoices):
        FOUR = "four", _("好/较好/一般/差")
        THREE = "three", _("好/中/差")

    # What changes how a year's pledges and reviews are counted and graded: frozen once the
    # year is under way. The filing dates may still move (an office extends a deadline).
    RHYTHM_FIELDS = ("pledge_period", "review_cadence", "mass_evaluation_cadence", "grade_scale")
    FIELDS = (*RHYTHM_FIELDS, "filing_first_half", "filing_second_half")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="calendars", verbose_name=_("党组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    pledge_period = models.CharField(
        _("承诺周期"), max_length=10, choices=PledgePeriod.choices, default=PledgePeriod.YEAR
    )
    review_cadence = models.CharField(
        _("领导点评周期"),
        max_length=10,
        choices=ReviewCadence.choices,
        default=ReviewCadence.QUARTER,
    )
    mass_evaluation_cadence = models.CharField(
        _("群众评议周期"),
        max_length=10,
        choices=EvaluationCadence.choices,
        default=EvaluationCadence.HALF,
    )
    grade_scale = models.CharField(
        _("点评等次"), max_length=10, choices=GradeScale.choices, default=GradeScale.FOUR
    )
    filing_first_half = models.DateField(_("上半年备案截止"), validators=[validate_sane])
    filing_second_half = models.DateField(_("下半年备案截止"), validators=[validate_sane])

    objects = CalendarQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_calendar_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="calendar_sane_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"
