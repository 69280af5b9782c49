"""述职: a secretary's (or a member's) annual report, made to the committee above and to the
members and the people (双向述职, source 004), and the 测评 of those present.

Source 001: the year's grade (好/较好/一般/差) is decided "在党支部书记和党员个人述职，
党员民主评议，群众满意度测评的基础上". A report without a member is the organization's
secretary's; with a member, that member's. Each audience's 测评 is one tally
(好/较好/一般/差 counts), entered from the paper ballots by the secretary or the office.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.versions import Versioned
from pledges.models import Member, Organization
from pledges.models.position import visible_q
from pledges.roles import Roles

from .subject import Grade, subtree_q

__all__ = [
    "DUTY_REPORT_MAX_LENGTH",
    "MAX_VOTES",
    "DutyReport",
    "DutyReportCode",
    "DutyReportTally",
]

DUTY_REPORT_MAX_LENGTH = 8000
# More than any meeting holds: a typo of extra digits is refused, never stored.
MAX_VOTES = 10000


def _report_rows(roles: Roles, prefix: str = "") -> Q:
    q = subtree_q(roles, f"{prefix}organization__path")
    if roles.member is not None:
        q |= Q(**{f"{prefix}member": roles.member})
    return q


class DutyReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> DutyReportQuerySet:
        return self.filter(visible_q(user, _report_rows))


class DutyReport(Versioned):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")

    year = models.PositiveSmallIntegerField(_("年度"))
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="duty_reports",
        verbose_name=_("党组织"),
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duty_reports",
        verbose_name=_("党员"),
    )
    text = models.TextField(_("述职报告"), max_length=DUTY_REPORT_MAX_LENGTH)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = DutyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("述职")
        verbose_name_plural = _("述职")
        ordering = ["-year", "organization_id", "member_id"]
        constraints = [
            # Two constraints because NULL members are never equal to each other.
            models.UniqueConstraint(
                fields=["year", "organization"],
                condition=Q(member__isnull=True),
                name="unique_secretary_duty_report_per_year",
            ),
            models.UniqueConstraint(
                fields=["year", "member"],
                condition=Q(member__isnull=False),
                name="unique_member_duty_report_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.reporter_name}"

    @property
    def reporter_name(self) -> str:
        if self.member_id:
            return self.member.name
        return _("%(org)s书记") % {"org": self.organization.name}

    def get_absolute_url(self) -> str:
        url = reverse("reviews:duty_report", args=[self.organization_id])
        query = f"year={self.year}"
        if self.member_id:
            query += f"&member={self.member_id}"
        return f"{url}?{query}"


class DutyReportTallyQuerySet(models.QuerySet):
    def visible_to(self, user) -> DutyReportTallyQuerySet:
        return self.filter(visible_q(user, lambda roles: _report_rows(roles, "report__")))


class DutyReportTally(Versioned):
    """The 测评 of one audience of a 述职: how many of those present marked each grade."""

    class Audience(models.TextChoices):
        COMMITTEE = "committee", _("向上级党组织述职")
        MEMBERS = "members", _("向党员群众述职")

    report = models.ForeignKey(
        DutyReport, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("述职")
    )
    audience = models.CharField(_("述职对象"), max_length=20, choices=Audience.choices)
    held_on = models.DateField(_("述职日期"))
    good = models.PositiveIntegerField(Grade.GOOD.label, default=0)
    fairly_good = models.PositiveIntegerField(Grade.FAIRLY_GOOD.label, default=0)
    average = models.PositiveIntegerField(Grade.AVERAGE.label, default=0)
    poor = models.PositiveIntegerField(Grade.POOR.label, default=0)

    objects = DutyReportTallyQuerySet.as_manager()

    class Meta:
        verbose_name = _("述职测评")
        verbose_name_plural = _("述职测评")
        ordering = ["report_id", "audience"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "audience"], name="unique_tally_per_audience"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.get_audience_display()}"

    @property
    def total(self) -> int:
        return self.good + self.fairly_good + self.average + self.poor

    @property
    def good_rate(self) -> float | None:
        """The share of 好 and 较好, as the sources count a 测评's approval."""
        return (self.good + self.fairly_good) / self.total if self.total else None


class DutyReportCodeQuerySet(models.QuerySet):
    def visible_to(self, user) -> DutyReportCodeQuerySet:
        return self.filter(visible_q(user, lambda roles: _report_rows(roles, "report__")))


class DutyReportCode(models.Model):
    """A single-use 测评 code handed to one person present (instead of a paper ballot): his
    grade is added to the audience's tally; nothing records which code gave which grade."""

    report = models.ForeignKey(
        DutyReport, on_delete=models.CASCADE, related_name="codes", verbose_name=_("述职")
    )
    audience = models.CharField(
        _("述职对象"), max_length=20, choices=DutyReportTally.Audience.choices
    )
    code = models.CharField(_("测评码"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    used_on = models.DateField(_("使用日期"), null=True, blank=True)

    objects = DutyReportCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("述职测评码")
        verbose_name_plural = _("述职测评码")
        ordering = ["report_id", "audience", "id"]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("reviews:duty_report_vote", args=[self.code])
