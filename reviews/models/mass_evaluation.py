"""群众评议: mass evaluations, their single-use codes and the anonymous responses."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.text import bounded_text
from pledges.models import Member, Organization
from pledges.models.position import visible_q

from .subject import subtree_q

__all__ = [
    "Satisfaction",
    "MassEvaluation",
    "EvaluationCode",
    "EvaluationResponse",
    "MemberRating",
    "MIN_RESPONSES",
    "CODE_ALPHABET",
    "CODE_LENGTH",
]


# The sources ask for "30人以上" evaluators; fewer responses make no valid result.
MIN_RESPONSES = 30


# No 0/O/1/I/L: easy to read from a slip and type on a phone.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


CODE_LENGTH = 10


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class MassEvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> MassEvaluationQuerySet:
        """Secretaries, offices and leaders see the evaluations of their subtrees."""
        return self.filter(visible_q(user, subtree_q))


class MassEvaluation(models.Model):
    """A half-year's evaluation of one organization and, optionally, some of its members."""

    class Half(models.IntegerChoices):
        FIRST = 1, _("上半年")
        SECOND = 2, _("下半年")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="mass_evaluations",
        verbose_name=_("党组织"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=Half.choices)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    # The members rated on the form: chosen when the evaluation is opened.
    members = models.ManyToManyField(
        Member, blank=True, related_name="mass_evaluations", verbose_name=_("参评党员")
    )
    ends_on = models.DateField(_("截止日期"), validators=[validate_sane])
    closed_at = models.DateTimeField(_("提前结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = MassEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众评议")
        verbose_name_plural = _("群众评议")
        ordering = ["-year", "-half", "organization_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "half"], name="unique_mass_evaluation_per_half"
            ),
            models.CheckConstraint(condition=Q(half__in=[1, 2]), name="mass_evaluation_half"),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("reviews:mass_evaluation_detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return _("%(org)s %(year)d年%(half)s群众评议") % {
            "org": self.organization.name,
            "year": self.year,
            "half": self.get_half_display(),
        }

    def is_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.closed_at is None and today <= self.ends_on

    @staticmethod
    def ended_q(prefix: str = "", today: datetime.date | None = None) -> Q:
        """Evaluations whose results may be shown: figures that move while answers arrive
        could be matched to whoever just answered."""
        today = today or timezone.localdate()
        return Q(**{f"{prefix}closed_at__isnull": False}) | Q(**{f"{prefix}ends_on__lt": today})


class EvaluationCode(models.Model):
    """A single-use code handed to one evaluator; it says nothing about who used it."""

    evaluation = models.ForeignKey(
        MassEvaluation, on_delete=models.CASCADE, related_name="codes", verbose_name=_("评议")
    )
    code = models.CharField(_("评议码"), max_length=CODE_LENGTH)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["code"], name="unique_evaluation_code")]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("reviews:mass_evaluation_form", args=[self.code])


class EvaluationResponse(models.Model):
    """One evaluator's answers. Deliberately no code, user, address or time: anonymous."""

    evaluation = models.ForeignKey(
        MassEvaluation, on_delete=models.CASCADE, related_name="responses", verbose_name=_("评议")
    )
    rating = models.CharField(_("对党组织的评价"), max_length=20, choices=Satisfaction.choices)
    opinion = bounded_text(_("意见建议"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["evaluation", "rating"])]

    def __str__(self) -> str:
        return self.get_rating_display()


class MemberRating(models.Model):
    response = models.ForeignKey(
        EvaluationResponse,
        on_delete=models.CASCADE,
        related_name="member_ratings",
        verbose_name=_("评议答卷"),
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("党员")
    )
    rating = models.CharField(_("评价"), max_length=20, choices=Satisfaction.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "member"], name="unique_member_rating_per_response"
            )
        ]

    def __str__(self) -> str:
        return self.get_rating_display()
