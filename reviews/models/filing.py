"""备案: a branch files its half-year with its committee (mid-July for the first half, mid-January
for the second), as one package of the attachments the sources name (承诺书, 承诺践诺台账,
点评登记表, 群众评议情况统计表, 整改台账), built in the background; the committee's office
receives it or returns it with a reason, and the branch files again."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exports.models import ExportJob
from core.text import REASON_MAX, bounded_text
from pledges.models import Organization
from pledges.models.position import visible_q

from .subject import subtree_q

__all__ = ["Filing", "FilingEvent"]


def filing_upload_to(instance: Filing, filename: str) -> str:
    # Random names: a stored name tells nothing and cannot be guessed.
    return f"filings/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.zip"


class FilingQuerySet(models.QuerySet):
    def visible_to(self, user) -> FilingQuerySet:
        """The branch's secretaries and everyone who oversees it (office, leaders, higher
        secretaries): whoever holds a position at or above the branch."""
        return self.filter(visible_q(user, subtree_q))


class Filing(models.Model):
    """One branch's filing of one half-year; filed again after a return (the same row)."""

    class Half(models.IntegerChoices):
        FIRST = 1, _("上半年")
        SECOND = 2, _("下半年")

    class Status(models.TextChoices):
        FILED = "filed", _("已报送")
        RECEIVED = "received", _("已接收")
        RETURNED = "returned", _("已退回")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=Half.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    # How many times it was filed: the package built for an earlier filing never lands on a
    # later one (the export job carries the round it was started for).
    rounds = models.PositiveSmallIntegerField(_("报送次数"), default=0)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报送人"),
    )
    filed_at = models.DateTimeField(_("报送时间"))
    package = models.FileField(
        _("备案材料"), upload_to=filing_upload_to, max_length=200, blank=True
    )
    package_job = models.ForeignKey(
        ExportJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("生成任务"),
    )
    package_built_at = models.DateTimeField(_("材料生成时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("接收或退回人"),
    )
    decided_at = models.DateTimeField(_("接收或退回时间"), null=True, blank=True)
    return_reason = bounded_text(_("退回原因"), limit=REASON_MAX, blank=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("备案")
        verbose_name_plural = _("备案")
        ordering = ["-year", "-half", "organization_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "half"], name="unique_filing_per_org_half"
            ),
            models.CheckConstraint(condition=Q(half__in=(1, 2)), name="filing_half_1_or_2"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="filing_returned_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["year", "half", "status"], name="filing_period")]

    def __str__(self) -> str:
        return f"{self.organization} {self.period_label}"

    def get_absolute_url(self) -> str:
        return f"{reverse('reviews:filing', args=[self.organization_id])}?period={self.period_code}"

    @property
    def period_code(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def period_label(self) -> str:
        return _("%(year)d年%(half)s") % {"year": self.year, "half": self.get_half_display()}

    @property
    def package_name(self) -> str:
        return _("%(org)s %(period)s备案材料.zip") % {
            "org": self.organization.name,
            "period": self.period_label,
        }


class FilingEvent(models.Model):
    """The history of a filing: each filing, receipt and return, by whom and when."""

    class Action(models.TextChoices):
        FILE = "file", _("报送")
        RECEIVE = "receive", _("接收")
        RETURN = "return", _("退回")

    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, related_name="events", verbose_name=_("备案")
    )
    action = models.CharField(_("动作"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    remark = bounded_text(_("说明"), limit=REASON_MAX, blank=True)

    class Meta:
        verbose_name = _("备案记录")
        verbose_name_plural = _("备案记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"
