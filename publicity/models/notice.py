"""Notices (公示) with a publication window, and their frozen items.

A notice's items are snapshots: the text is copied from the pledge book when the notice is
composed, so a later edit of a pledge or review never changes what was published. A correction
is a new version of the notice; the old one stays readable and points to the new one.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.text import REASON_MAX, TITLE_MAX
from core.versions import Versioned
from pledges.models import Organization
from pledges.models.position import visible_q

# The sources publish for 5–7 days; the default window is a week.
DEFAULT_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 90
INTRO_MAX = 2000
NOTE_MAX = 1000


def manage_q(user, lookup: str, kinds: tuple[str, ...] | None = None) -> Q:
    return visible_q(user, lambda roles: roles.within(lookup, kinds))


class NoticeQuerySet(models.QuerySet):
    def visible_to(self, user) -> NoticeQuerySet:
        """Who may open a notice's working page: anyone with a position at or above its
        organization (the secretary composes, the office and higher organizations approve)."""
        return self.filter(manage_q(user, "organization__path"))

    def public(self, today: datetime.date | None = None) -> NoticeQuerySet:
        """What anyone may read: approved notices whose window has begun, their superseded
        versions, and withdrawn ones (shown as withdrawn, with the reason)."""
        today = today or timezone.localdate()
        return self.filter(
            status__in=Notice.PUBLIC_STATUSES, approved_at__isnull=False, starts_on__lte=today
        )

    def live(self, today: datetime.date | None = None) -> NoticeQuerySet:
        today = today or timezone.localdate()
        return self.public(today).filter(status=Notice.Status.APPROVED, ends_on__gte=today)

    def past(self, today: datetime.date | None = None) -> NoticeQuerySet:
        """The archive: every public notice no longer current."""
        today = today or timezone.localdate()
        return self.public(today).exclude(status=Notice.Status.APPROVED, ends_on__gte=today)


class Notice(Versioned):
    class Kind(models.TextChoices):
        PLEDGES = "pledges", _("亮诺公示")
        PROGRESS = "progress", _("践诺记实公开")
        CLOSURES = "closures", _("践诺销号公示")
        REVIEWS = "reviews", _("点评及整改公开")
        EVALUATIONS = "evaluations", _("群众评议结果公示")
        ASSESSMENTS = "assessments", _("年度总评结果公示")
        SELECTION = "selection", _("评选表彰公示")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已批准公示")
        SUPERSEDED = "superseded", _("已更正")
        WITHDRAWN = "withdrawn", _("已撤回")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
    PUBLIC_STATUSES = (Status.APPROVED, Status.SUPERSEDED, Status.WITHDRAWN)

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="notices", verbose_name=_("党组织")
    )
    kind = models.CharField(_("公示类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    intro = models.TextField(_("公示说明"), max_length=INTRO_MAX, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    # Only for 记实公开: the month whose records are published.
    month = models.PositiveSmallIntegerField(_("月份"), null=True, blank=True)
    starts_on = models.DateField(_("公示开始日期"), validators=[validate_sane])
    ends_on = models.DateField(_("公示结束日期"), validators=[validate_sane])
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # 第 N 版: 1 for the original, +1 for each correction (更正). Not an edit version: that is
    # edit_version (core.versions.Versioned), which guards against lost updates.
    correction_number = models.PositiveSmallIntegerField(_("版本"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("更正的原公示"),
    )
    correction_note = models.TextField(_("更正说明"), max_length=NOTE_MAX, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=REASON_MAX, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=REASON_MAX, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
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
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤回人"),
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["organization", "status", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="notice_window_in_order"
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="notice_month_1_to_12",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("publicity:notice_detail", args=[self.pk])

    def public_url(self) -> str:
        return reverse("publicity:notice", args=[self.organization_id, self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    def is_live(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.APPROVED and self.starts_on <= today <= self.ends_on


class NoticeItem(models.Model):
    """One published thing, frozen: a heading, labelled lines and optional sub-rows (a review's
    rectification items, an evaluation's member rows). `source` names what it was copied from
    ("pledge:12"), so a composer can see what is already on a notice."""

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="items", verbose_name=_("所属公示")
    )
    position = models.PositiveIntegerField(_("顺序"), default=0)
    source = models.CharField(_("来源"), max_length=40)
    heading = models.CharField(_("标题"), max_length=300)
    status_label = models.CharField(_("状态"), max_length=40, blank=True)
    lines = models.JSONField(_("内容"), default=list)
    rows = models.JSONField(_("明细"), default=list, blank=True)

    class Meta:
        ordering = ["notice_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "source"], name="one_item_per_source")
        ]

    def __str__(self) -> str:
        return self.heading
