"""Pledges (承诺) and their history: one row per pledge, one event per move."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.history import HistoryEntry
from core.text import REASON_MAX, bounded_text
from core.versions import Versioned

from ..roles import Roles
from .organization import Organization
from .position import Member, visible_q


class PledgeQuerySet(models.QuerySet):
    def visible_to(self, user) -> PledgeQuerySet:
        """The one place that decides which pledges a user may see."""
        return self.filter(visible_q(user, _pledge_rows))

    def overdue(self, today: datetime.date | None = None) -> PledgeQuerySet:
        today = today or timezone.localdate()
        return self.filter(status__in=Pledge.RUNNING_STATUSES, deadline__lt=today)

    def for_list(self) -> PledgeQuerySet:
        return self.select_related("owner_org", "owner_member")


def _pledge_rows(roles: Roles) -> Q:
    # Secretaries keep the book: every pledge of their organizations, drafts included.
    q = roles.within("owner_org__path", kinds=roles.SECRETARY_KINDS)
    # Office and leaders see what has been filed with them (approved onwards), and the
    # organizations' own pledges waiting for their approval.
    oversee_q = roles.subtree_q("owner_org__path", kinds=roles.OVERSIGHT_KINDS)
    if oversee_q is not None:
        q |= oversee_q & (
            Q(status__in=Pledge.FILED_STATUSES)
            | Q(status=Pledge.Status.SUBMITTED, owner_member__isnull=True)
        )
    if roles.member is not None:
        q |= Q(owner_member=roles.member)
        q |= Q(owner_org_id=roles.member.organization_id, status__in=Pledge.PUBLIC_STATUSES)
    return q


class Pledge(Versioned):
    class Kind(models.TextChoices):
        SERVICE = "service", _("服务承诺")
        PRACTICAL = "practical", _("实事承诺")
        FAULT = "fault", _("改正缺点")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已审核备案")
        PUBLISHED = "published", _("已亮诺")
        IN_PROGRESS = "in_progress", _("践诺中")
        CLOSED = "closed", _("已销号")
        UNFULFILLED = "unfulfilled", _("未兑现")

    class Half(models.IntegerChoices):
        WHOLE_YEAR = 0, _("全年")
        FIRST = 1, _("上半年")
        SECOND = 2, _("下半年")

    EDITABLE_STATUSES = (Status.DRAFT, Status.RETURNED)
    FILED_STATUSES = (
        Status.APPROVED,
        Status.PUBLISHED,
        Status.IN_PROGRESS,
        Status.CLOSED,
        Status.UNFULFILLED,
    )
    PUBLIC_STATUSES = (Status.PUBLISHED, Status.IN_PROGRESS, Status.CLOSED, Status.UNFULFILLED)
    RUNNING_STATUSES = (Status.APPROVED, Status.PUBLISHED, Status.IN_PROGRESS)
    ENDED_STATUSES = (Status.CLOSED, Status.UNFULFILLED)
    CONTENT_FIELDS = ("kind", "title", "measures", "deadline", "expected_result")

    owner_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("党组织")
    )
    # Empty for the organization's own pledges.
    owner_member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
        verbose_name=_("党员"),
    )
    kind = models.CharField(_("承诺类别"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("承诺事项"), max_length=200)
    measures = bounded_text(_("践诺措施"))
    deadline = models.DateField(_("完成时限"), validators=[validate_sane])
    expected_result = bounded_text(_("预期效果"))
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(
        _("期间"), choices=Half.choices, default=Half.WHOLE_YEAR
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    return_reason = bounded_text(_("退回原因"), limit=REASON_MAX, blank=True)
    close_result = bounded_text(_("兑现情况"), blank=True)
    closed_on = models.DateField(_("销号日期"), validators=[validate_sane], null=True, blank=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried_into",
        verbose_name=_("接续的原承诺"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
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
    published_at = models.DateTimeField(_("亮诺时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("销号人"),
    )
    # edit_version (core.versions.Versioned) is bumped by every service write: a form posted
    # from a stale page is refused, not merged; the ledger exports it as 版本.

    objects = PledgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("承诺")
        verbose_name_plural = _("承诺")
        ordering = ["owner_org_id", "owner_member_id", "id"]
        indexes = [
            models.Index(fields=["owner_org", "year", "status"]),
            # The coverage dashboard counts a whole year's pledges by organization, member and
            # state: this index answers it without reading the table (bench/dashboard.py).
            models.Index(
                fields=["year", "owner_org", "owner_member", "status"],
                name="pledge_year_org_member",
            ),
            # The overdue list, oldest deadline first: walked in order, a city's first 20 are
            # found in a few index entries instead of sorting its 50,000 running pledges.
            models.Index(
                fields=["deadline", "id"],
                name="pledge_running_deadline",
                condition=Q(status__in=["approved", "published", "in_progress"]),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(half__in=[0, 1, 2]), name="pledge_half_valid"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="pledge_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pledges:pledge", args=[self.pk])

    @property
    def owner_name(self) -> str:
        return self.owner_member.name if self.owner_member_id else self.owner_org.name

    @property
    def period_label(self) -> str:
        if self.half == self.Half.WHOLE_YEAR:
            return f"{self.year}{_('年')}"
        return f"{self.year}{_('年')}{self.get_half_display()}"

    @property
    def is_overdue(self) -> bool:
        return self.status in self.RUNNING_STATUSES and self.deadline < timezone.localdate()

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES


class PledgeEvent(HistoryEntry):
    """History: who did what to a pledge and when; amendments carry the old and new values."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        EDIT = "edit", _("修改")
        SUBMIT = "submit", _("提交")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回")
        PUBLISH = "publish", _("亮诺")
        PROGRESS = "progress", _("记实")
        CLOSE = "close", _("销号")
        UNFULFILLED = "unfulfilled", _("认定未兑现")
        CARRY_OVER = "carry_over", _("再承诺")
        AMEND = "amend", _("变更")
        DELETE_RECORD = "delete_record", _("删除记实")

    pledge = models.ForeignKey(
        Pledge, on_delete=models.CASCADE, related_name="events", verbose_name=_("承诺")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
