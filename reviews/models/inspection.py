"""半年一检查: the committee's inspection of its branches (定期检查 / 不定期抽查), the 整改通知书 a
finding becomes, the branch's answer with evidence and the office's 复验."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.files import UploadedEvidence
from core.history import HistoryEntry
from core.text import REASON_MAX, TITLE_MAX, bounded_text
from core.versions import Versioned
from pledges.models import Organization
from pledges.models.position import visible_q

from .subject import subtree_q

__all__ = [
    "DEFAULT_CHECKLIST",
    "InspectionEvidence",
    "InspectionNotice",
    "InspectionNoticeEvent",
    "InspectionRound",
    "InspectionTarget",
]

# The checklist a round starts with: each key has a figure the system pre-fills
# (reviews.selectors.inspection); items the office adds ("c1", "c2" …) have none.
DEFAULT_CHECKLIST = (
    ("pledges_public", _("承诺是否公开")),
    ("ledger_kept", _("台账是否规范")),
    ("reviews_done", _("点评是否到位")),
    ("evaluation_30", _("群众评议是否满 30 人")),
    ("rectification_closed", _("整改是否销号")),
)
MAX_CHECKLIST_ITEMS = 20
CHECKLIST_LABEL_MAX = 60


class InspectionRoundQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionRoundQuerySet:
        return self.filter(visible_q(user, subtree_q))


class InspectionRound(Versioned):
    """One inspection of a committee's branches for a half-year: every branch (定期检查) or a
    sample the system draws from a recorded seed (不定期抽查)."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("定期检查")
        SPOT = "spot", _("不定期抽查")

    class Status(models.TextChoices):
        OPEN = "open", _("检查中")
        CLOSED = "closed", _("已结束")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织检查的党组织")
    )
    kind = models.CharField(_("检查方式"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=[(1, _("上半年")), (2, _("下半年"))])
    title = models.CharField(_("名称"), max_length=TITLE_MAX)
    # [{"key": "pledges_public", "label": "承诺是否公开"}, …] in the order shown.
    checklist = models.JSONField(_("检查清单"), default=list)
    sample_size = models.PositiveIntegerField(_("抽查数量"), null=True, blank=True)
    seed = models.PositiveBigIntegerField(_("抽样种子"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发起人"),
    )
    opened_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("结束人"),
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = InspectionRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        ordering = ["-year", "-half", "-id"]
        constraints = [
            # One half-yearly check of a subtree per half; spot checks may come any time.
            models.UniqueConstraint(
                fields=["organization", "year", "half"],
                condition=Q(kind="regular"),
                name="unique_regular_inspection_per_half",
            ),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="inspection_half"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:inspection", args=[self.pk])

    @property
    def period_code(self) -> str:
        return f"{self.year}H{self.half}"


class InspectionTargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionTargetQuerySet:
        return self.filter(visible_q(user, subtree_q))


class InspectionTarget(Versioned):
    """A branch in a round, and what the inspector confirmed for it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待检查")
        PASSED = "passed", _("合格")
        FINDINGS = "findings", _("发现问题")

    round = models.ForeignKey(
        InspectionRound, on_delete=models.CASCADE, related_name="targets", verbose_name=_("检查")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("党支部")
    )
    status = models.CharField(
        _("检查结果"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # {"pledges_public": true, "c1": false, …}: the inspector's confirmation per item.
    answers = models.JSONField(_("逐项结果"), default=dict)
    remark = bounded_text(_("检查意见"), limit=REASON_MAX, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("检查人"),
    )
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)

    objects = InspectionTargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查对象")
        verbose_name_plural = _("检查对象")
        ordering = ["round_id", "id"]
        # Targets are made in path order: a page of a round is a range of this index.
        indexes = [models.Index(fields=["round", "id"], name="inspection_target_page")]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="unique_inspection_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:inspection", args=[self.round_id])


class InspectionNoticeQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionNoticeQuerySet:
        return self.filter(visible_q(user, subtree_q))

    def pending(self) -> InspectionNoticeQuerySet:
        return self.filter(status__in=InspectionNotice.PENDING_STATUSES)

    def overdue(self, today=None) -> InspectionNoticeQuerySet:
        return self.pending().filter(deadline__lt=today or timezone.localdate())


class InspectionNotice(Versioned):
    """整改通知书: a finding of the inspection, to the branch, with a deadline, followed to 复验."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("待整改")
        ANSWERED = "answered", _("待复验")
        PASSED = "passed", _("复验通过")
        RETURNED = "returned", _("复验未通过")

    PENDING_STATUSES = (Status.ISSUED, Status.RETURNED)

    target = models.ForeignKey(
        InspectionTarget,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("检查对象"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("整改党组织")
    )
    committee = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("下达党组织")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.CharField(_("编号"), max_length=40)
    problems = bounded_text(_("存在问题"))
    requirements = bounded_text(_("整改要求"))
    deadline = models.DateField(_("整改时限"), validators=[validate_sane], db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )
    issued_on = models.DateField(_("下达日期"), validators=[validate_sane])
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    answer = bounded_text(_("整改情况"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报告人"),
    )
    answered_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    recheck_remark = bounded_text(_("复验意见"), limit=REASON_MAX, blank=True)
    rechecked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("复验人"),
    )
    rechecked_at = models.DateTimeField(_("复验时间"), null=True, blank=True)

    objects = InspectionNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改通知书")
        verbose_name_plural = _("整改通知书")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "number"], name="unique_inspection_notice_number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["issued"]) | ~Q(answer=""),
                name="inspection_notice_answered_has_answer",
            ),
        ]
        indexes = [models.Index(fields=["deadline", "status"], name="inspection_notice_due")]

    def __str__(self) -> str:
        return _("整改通知书 %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("reviews:inspection_notice", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status in self.PENDING_STATUSES and self.deadline < timezone.localdate()


class InspectionNoticeEvent(HistoryEntry):
    """Each dated step of a notice: issued, answered, passed, returned."""

    class Action(models.TextChoices):
        ISSUE = "issue", _("下达")
        ANSWER = "answer", _("报告整改情况")
        PASS = "pass", _("复验通过")
        RETURN = "return", _("复验退回")

    notice = models.ForeignKey(
        InspectionNotice,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("整改通知书"),
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)


class InspectionEvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> InspectionEvidenceQuerySet:
        return self.filter(notice__in=InspectionNotice.objects.visible_to(user))


class InspectionEvidence(UploadedEvidence):
    UPLOAD_DIR = "inspection"

    notice = models.ForeignKey(
        InspectionNotice,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("整改通知书"),
    )

    objects = InspectionEvidenceQuerySet.as_manager()

    def get_absolute_url(self) -> str:
        return reverse("reviews:inspection_evidence", args=[self.pk])
