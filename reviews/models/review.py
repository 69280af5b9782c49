"""领导点评: leader reviews and their amendments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.text import REASON_MAX, bounded_text
from core.versions import Versioned
from pledges.models.position import visible_q
from pledges.roles import Roles

from .self_evaluation import SelfEvaluation
from .subject import Grade, SubjectFields, SubjectKind, _subject_checks, subtree_q

__all__ = ["Review", "ReviewAmendment"]


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReviewQuerySet:
        return self.filter(visible_q(user, lambda roles: _review_rows(user, roles)))

    def for_list(self) -> ReviewQuerySet:
        return self.select_related("organization", "member", "reviewer")

    def for_detail(self) -> ReviewQuerySet:
        return self.select_related(
            "organization", "member", "reviewer", "self_evaluation", "redo_of", "returned_by"
        )


def _review_rows(user, roles: Roles) -> Q:
    """His own reviews; the non-draft ones of his subtree and about himself; published
    reviews of his own organization."""
    # Drafts are the reviewer's own working copy.
    q = Q(reviewer=user) | subtree_q(roles) & ~Q(status=Review.Status.DRAFT)
    if roles.member is not None:
        q |= Q(member=roles.member) & ~Q(status=Review.Status.DRAFT)
        q |= Q(
            organization_id=roles.member.organization_id,
            subject_kind__in=[SubjectKind.ORGANIZATION, SubjectKind.SECRETARY],
            status=Review.Status.PUBLISHED,
        )
    return q


class Review(Versioned, SubjectFields):
    """领导点评, recorded as in the 点评情况登记表 and signed by the reviewer."""

    class Mode(models.TextChoices):
        COLLECTIVE = "collective", _("集中点评")
        ON_SITE = "on_site", _("现场点评")
        INTERVIEW = "interview", _("个别谈话点评")
        WRITTEN = "written", _("书面点评")
        RANDOM = "random", _("随机点评")

    Grade = Grade

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SIGNED = "signed", _("已签认")
        PUBLISHED = "published", _("已公开")
        RETURNED = "returned", _("抽查退回")

    class Scope(models.TextChoices):
        ORGANIZATION = "organization", _("党组织内公开")
        PUBLIC = "public", _("向群众公开")

    class ReturnReason(models.TextChoices):
        """The spot check's "三不过关"."""

        NO_SELF_EVALUATION = "no_report", _("未审阅自查自评材料（基层党组织没有认真总结不过关）")
        NO_PROBLEM = "no_problem", _("没有指出存在的不足")
        NO_MEASURE = "no_measure", _("没有提出具体可行的整改措施")

    # Modes in which a review may be given without a self-evaluation first.
    MODES_WITHOUT_SELF_EVALUATION = (Mode.ON_SITE, Mode.RANDOM)
    LOCKED_STATUSES = (Status.SIGNED, Status.PUBLISHED)
    CONTENT_FIELDS = ("date", "mode", "achievements", "problems", "direction", "grade")

    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews_given",
        verbose_name=_("点评人"),
    )
    date = models.DateField(_("点评日期"), validators=[validate_sane])
    mode = models.CharField(_("点评方式"), max_length=20, choices=Mode.choices)
    achievements = bounded_text(_("肯定成绩"), blank=True)
    problems = bounded_text(_("指出问题"), blank=True)
    direction = bounded_text(_("努力方向"), blank=True)
    grade = models.CharField(_("点评等次"), max_length=20, choices=Grade.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    self_evaluation = models.ForeignKey(
        SelfEvaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("自查自评"),
    )
    # Given without a self-evaluation (on-the-spot and random modes only); shown on the review.
    without_self_evaluation = models.BooleanField(_("未先报后评"), default=False)
    scope = models.CharField(
        _("公开范围"), max_length=20, choices=Scope.choices, default=Scope.ORGANIZATION
    )
    signed_at = models.DateTimeField(_("签认时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    return_reasons = models.JSONField(_("退回原因"), default=list, blank=True)
    return_remark = bounded_text(_("退回说明"), limit=REASON_MAX, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("退回人"),
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    # A redo after a spot check points at the returned version; both stay on record.
    redo_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redone_by",
        verbose_name=_("重新点评自"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("领导点评")
        verbose_name_plural = _("领导点评")
        ordering = ["-year", "-quarter", "organization_id", "id"]
        indexes = [
            # The quarter's figures (coverage, grades, modes per organization) are read from
            # the index alone, without visiting a city's review rows.
            models.Index(
                fields=["year", "quarter", "status"],
                include=["organization", "subject_kind", "member", "grade", "mode"],
                name="review_quarter_figures",
            ),
            # An organization's reviews of a quarter: the office's spot checks walk the tree.
            models.Index(fields=["organization", "year", "quarter"]),
            # The few drafts, for "is this item's review a draft" (rectification.NOT_ISSUED_Q).
            models.Index(
                fields=["id", "created_at"], condition=Q(status="draft"), name="review_drafts"
            ),
        ]
        constraints = [
            *_subject_checks("review"),
            models.UniqueConstraint(
                fields=["reviewer", "subject_key", "year", "quarter"],
                condition=Q(status__in=["signed", "published"]),
                name="one_signed_review_per_reviewer_subject_quarter",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(grade=""), name="review_signed_has_grade"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.quarter_obj} {self.get_mode_display()}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:review", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return self.status in self.LOCKED_STATUSES

    @property
    def return_reason_labels(self) -> list[str]:
        labels = dict(self.ReturnReason.choices)
        return [str(labels.get(code, code)) for code in self.return_reasons]


class ReviewAmendment(models.Model):
    """A correction to a signed review: the old and new values, who, when and why."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("点评")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("更正人"),
    )
    at = models.DateTimeField(_("更正时间"), default=timezone.now)
    reason = bounded_text(_("更正原因"), limit=REASON_MAX)
    changes = models.JSONField(_("变更内容"), default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.review_id} {self.at:%Y-%m-%d}"
