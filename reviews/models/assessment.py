"""一年一总评: the annual assessment of organizations and members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.versions import Versioned
from pledges.models import Member, Organization
from pledges.models.position import visible_q

from .subject import Grade, subtree_q

__all__ = ["AnnualAssessment"]


class AnnualAssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AnnualAssessmentQuerySet:
        return self.filter(visible_q(user, subtree_q))

    def published(self) -> AnnualAssessmentQuerySet:
        return self.filter(published_at__isnull=False)


class AnnualAssessment(Versioned):
    """一年一总评: the final grade of an organization (member empty) or of a member."""

    Grade = Grade

    year = models.PositiveSmallIntegerField(_("年度"))
    # For a member, the member's organization at the time: the year page reads by organization.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="annual_assessments",
        verbose_name=_("党组织"),
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_assessments",
        verbose_name=_("党员"),
    )
    grade = models.CharField(_("总评等次"), max_length=20, choices=Grade.choices)
    exemplary = models.BooleanField(_("评先评优"), default=False)
    remark = models.CharField(_("备注"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("评定人"),
    )
    decided_at = models.DateTimeField(_("评定时间"), default=timezone.now)
    # Set by the publicity app when the grades are published (公示).
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)

    objects = AnnualAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度总评")
        verbose_name_plural = _("年度总评")
        ordering = ["year", "organization_id", "member_id"]
        constraints = [
            # Two constraints because NULL members are never equal to each other.
            models.UniqueConstraint(
                fields=["year", "organization"],
                condition=Q(member__isnull=True),
                name="unique_org_assessment_per_year",
            ),
            models.UniqueConstraint(
                fields=["year", "member"],
                condition=Q(member__isnull=False),
                name="unique_member_assessment_per_year",
            ),
            models.CheckConstraint(
                condition=~Q(grade="poor") | Q(exemplary=False),
                name="assessment_poor_not_exemplary",
            ),
        ]

    def __str__(self) -> str:
        subject = self.member.name if self.member_id else self.organization.name
        return f"{self.year} {subject} {self.get_grade_display()}"

    @property
    def subject_name(self) -> str:
        return self.member.name if self.member_id else self.organization.name
