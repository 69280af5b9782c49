"""自查自评: the quarterly report of a subject."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.text import bounded_text
from core.versions import Versioned
from pledges.models.position import visible_q
from pledges.roles import Roles

from .subject import SubjectFields, _subject_checks

__all__ = ["SelfEvaluation"]


class SelfEvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> SelfEvaluationQuerySet:
        return self.filter(visible_q(user, lambda roles: _self_evaluation_rows(user, roles)))


def _self_evaluation_rows(user, roles: Roles) -> Q:
    """His own; his books' (as secretary); submitted ones under his oversight; his own as a
    member."""
    q = Q(author=user)
    book = roles.subtree_q("organization__path", roles.SECRETARY_KINDS)
    if book is not None:
        q |= book
    oversight = roles.subtree_q("organization__path", roles.OVERSIGHT_KINDS)
    if oversight is not None:
        q |= oversight & Q(status=SelfEvaluation.Status.SUBMITTED)
    if roles.member is not None:
        q |= Q(member=roles.member)
    return q


class SelfEvaluation(Versioned, SubjectFields):
    """自查自评: the quarterly report that comes before the review ("先报后评")."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Pledge facts, counted by the system and frozen on submission.
    pledges_total = models.PositiveIntegerField(_("承诺总数"), default=0)
    pledges_closed = models.PositiveIntegerField(_("已兑现"), default=0)
    pledges_in_progress = models.PositiveIntegerField(_("推进中"), default=0)
    pledges_behind = models.PositiveIntegerField(_("滞后（逾期或未兑现）"), default=0)
    pledge_notes = bounded_text(_("承诺践诺情况"), blank=True)
    highlights = bounded_text(_("主要成绩"), blank=True)
    shortcomings = bounded_text(_("存在不足"), blank=True)
    next_steps = bounded_text(_("下步打算"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("填报人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    objects = SelfEvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("自查自评")
        verbose_name_plural = _("自查自评")
        ordering = ["-year", "-quarter", "organization_id", "id"]
        constraints = [
            *_subject_checks("selfeval"),
            models.UniqueConstraint(
                fields=["subject_key", "year", "quarter"], name="one_report_per_subject_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.quarter_obj}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:self_evaluation_detail", args=[self.pk])
