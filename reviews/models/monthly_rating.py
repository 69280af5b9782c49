"""每月评比: once a month a branch compares its members ("党支部每月对党员进行一次评比，评比结果…
及时向群众公开", source 002) on criteria its committee sets.

Not the monthly progress round (pledges' `round`, 一月一记实): that records what was done on
each pledge; this grades each member for the month, reading those records.

A sheet is one branch's month: the criteria it was rated on (copied when it is first saved, so
a committee changing its criteria later does not rewrite old months) and whether it has been
published. A rating is one member's line on it: a grade per criterion and the overall grade
(their rounded mean), the member's standing that the public page shows.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.versions import Versioned
from pledges.models import Member, Organization
from pledges.models.position import visible_q

from .subject import Grade, subtree_q

__all__ = [
    "CRITERION_MAX_LENGTH",
    "DEFAULT_CRITERIA",
    "MAX_CRITERIA",
    "MonthlyRating",
    "MonthlyRatingSheet",
    "RatingCriteria",
    "overall_grade",
]

# The criteria a branch is rated on when no committee above it has set its own.
DEFAULT_CRITERIA = (_("践诺进度"), _("记实"), _("群众反映"))
MAX_CRITERIA = 6
CRITERION_MAX_LENGTH = 20

# 好 4 … 差 1: the overall grade is the mean of a line's grades, rounded half up.
GRADE_POINTS = {
    Grade.GOOD: 4,
    Grade.FAIRLY_GOOD: 3,
    Grade.AVERAGE: 2,
    Grade.POOR: 1,
}
GRADE_ORDER = {grade: i for i, grade in enumerate(GRADE_POINTS)}


def overall_grade(grades: list[str]) -> str:
    """The line's standing from its criterion grades: the mean rounded half up (4,4,3 → 好)."""
    points = sum(GRADE_POINTS[g] for g in grades) / len(grades)
    rounded = int(points + 0.5)
    return next(g for g, p in GRADE_POINTS.items() if p == rounded)


class RatingCriteriaQuerySet(models.QuerySet):
    def visible_to(self, user) -> RatingCriteriaQuerySet:
        return self.filter(visible_q(user, subtree_q))


class RatingCriteria(Versioned):
    """The criteria a committee sets for the monthly 评比 of the branches under it; the nearest
    committee above a branch (or the branch itself) that set some wins."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("党组织"),
    )
    names = models.JSONField(_("评比内容"), default=list)

    objects = RatingCriteriaQuerySet.as_manager()

    class Meta:
        verbose_name = _("每月评比内容")
        verbose_name_plural = _("每月评比内容")

    def __str__(self) -> str:
        return "、".join(self.names)


class MonthlyRatingSheetQuerySet(models.QuerySet):
    def visible_to(self, user) -> MonthlyRatingSheetQuerySet:
        return self.filter(visible_q(user, subtree_q))

    def published(self) -> MonthlyRatingSheetQuerySet:
        return self.filter(published_at__isnull=False)


class MonthlyRatingSheet(models.Model):
    """One branch's 每月评比 for one month."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="monthly_rating_sheets",
        verbose_name=_("党组织"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    criteria = models.JSONField(_("评比内容"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("公布人"),
    )

    objects = MonthlyRatingSheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("每月评比")
        verbose_name_plural = _("每月评比")
        ordering = ["organization_id", "-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "month"], name="unique_rating_sheet_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="rating_sheet_month_1_to_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}-{self.month:02d}"

    def get_absolute_url(self) -> str:
        url = reverse("reviews:monthly_rating", args=[self.organization_id])
        return f"{url}?month={self.month_code}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def month_code(self) -> str:
        return f"{self.year}-{self.month:02d}"


class MonthlyRatingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MonthlyRatingQuerySet:
        return self.filter(
            visible_q(user, lambda roles: subtree_q(roles, "sheet__organization__path"))
        )


class MonthlyRating(Versioned):
    """One member's line on a month's sheet."""

    Grade = Grade

    sheet = models.ForeignKey(
        MonthlyRatingSheet,
        on_delete=models.CASCADE,
        related_name="ratings",
        verbose_name=_("每月评比"),
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        related_name="monthly_ratings",
        verbose_name=_("党员"),
    )
    # One grade per criterion of the sheet, in the sheet's order.
    grades = models.JSONField(_("各项等次"), default=list)
    grade = models.CharField(_("评比等次"), max_length=20, choices=Grade.choices)
    remark = models.CharField(_("备注"), max_length=200, blank=True)

    objects = MonthlyRatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员每月评比")
        verbose_name_plural = _("党员每月评比")
        ordering = ["sheet_id", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "member"], name="unique_rating_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} {self.member} {self.get_grade_display()}"
