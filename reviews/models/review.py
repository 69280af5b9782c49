"""Self-evaluations, leader reviews, rectification items and suggestion letters.

A subject is an organization, its secretary (the organization plus kind "secretary") or a
member. `organization` is always set (a member's branch for member subjects) so every subtree
query is one prefix match on the organization path; `subject_key` ("o:12", "s:12", "m:345")
names the subject in one column for unique constraints and for matching rows in selectors.
"""

from __future__ import annotations

import datetime
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pledges.models import Member, Organization, Pledge

__all__ = [
    "Grade",
    "Quarter",
    "SubjectKind",
    "subject_key_for",
    "Subject",
    "SelfEvaluation",
    "Review",
    "ReviewAmendment",
    "RectificationItem",
    "RectificationEvent",
    "RectificationEvidence",
    "SuggestionLetter",
]

# A review owed for a quarter is "due soon" this many days before the quarter ends and
# "overdue" once the quarter has ended ("一季一点评": the review belongs to its quarter).
DUE_SOON_DAYS = 15


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter; stored on rows as two small integers (year, quarter)."""

    year: int
    quarter: int

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def current(cls) -> Quarter:
        return cls.of(timezone.localdate())

    @classmethod
    def parse(cls, code: str | None, default: Quarter | None = None) -> Quarter:
        """'2026Q3' → Quarter(2026, 3); anything malformed gives the default (or current)."""
        try:
            year, q = (code or "").upper().split("Q")
            result = cls(int(year), int(q))
        except ValueError:
            return default or cls.current()
        if not (2000 <= result.year <= 2100 and 1 <= result.quarter <= 4):
            return default or cls.current()
        return result

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return _("%(year)d年第%(q)d季度") % {"year": self.year, "q": self.quarter}

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> datetime.date:
        nxt = self.next()
        return datetime.date(nxt.year, 3 * nxt.quarter - 2, 1) - datetime.timedelta(days=1)

    def next(self) -> Quarter:
        if self.quarter == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.quarter + 1)

    def prev(self) -> Quarter:
        if self.quarter == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.quarter - 1)

    def is_ended(self, today: datetime.date | None = None) -> bool:
        return (today or timezone.localdate()) > self.end

    def is_due_soon(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.is_ended(today) and (self.end - today).days < DUE_SOON_DAYS

    def __str__(self) -> str:
        return str(self.label)


class SubjectKind(models.TextChoices):
    ORGANIZATION = "organization", _("党组织")
    SECRETARY = "secretary", _("党组织书记")
    MEMBER = "member", _("党员")


def subject_key_for(kind: str, organization_id: int, member_id: int | None = None) -> str:
    if kind == SubjectKind.MEMBER:
        return f"m:{member_id}"
    return f"{'s' if kind == SubjectKind.SECRETARY else 'o'}:{organization_id}"


@dataclass(frozen=True)
class Subject:
    """Whom a report, review or rectification item is about."""

    kind: str
    organization: Organization
    member: Member | None = None

    @classmethod
    def of(cls, row: SubjectFields) -> Subject:
        return cls(row.subject_kind, row.organization, row.member)

    @property
    def key(self) -> str:
        return subject_key_for(
            self.kind, self.organization.pk, self.member.pk if self.member else None
        )

    @property
    def name(self) -> str:
        if self.kind == SubjectKind.MEMBER:
            return self.member.name
        if self.kind == SubjectKind.SECRETARY:
            return _("%(org)s书记") % {"org": self.organization.name}
        return self.organization.name

    @property
    def kind_label(self) -> str:
        return str(SubjectKind(self.kind).label)

    def fields(self) -> dict:
        """Keyword arguments for a row's subject columns."""
        return {
            "subject_kind": self.kind,
            "organization": self.organization,
            "member": self.member,
            "subject_key": self.key,
        }


class SubjectFields(models.Model):
    subject_kind = models.CharField(_("点评对象类别"), max_length=20, choices=SubjectKind.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("党员"),
    )
    subject_key = models.CharField(max_length=24, editable=False, db_index=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.subject_key = subject_key_for(self.subject_kind, self.organization_id, self.member_id)
        super().save(*args, **kwargs)

    @property
    def subject(self) -> Subject:
        return Subject.of(self)

    @property
    def subject_name(self) -> str:
        return Subject.of(self).name

    @property
    def quarter_obj(self) -> Quarter:
        return Quarter(self.year, self.quarter)


def _subject_checks(prefix: str) -> list[models.CheckConstraint]:
    """Exactly the right foreign keys for the kind; the key column agrees with the kind."""
    return [
        models.CheckConstraint(
            condition=(
                Q(subject_kind=SubjectKind.MEMBER, member__isnull=False)
                | Q(
                    subject_kind__in=[SubjectKind.ORGANIZATION, SubjectKind.SECRETARY],
                    member__isnull=True,
                )
            ),
            name=f"{prefix}_subject_fk_matches_kind",
        ),
        models.CheckConstraint(
            condition=Q(quarter__gte=1, quarter__lte=4), name=f"{prefix}_quarter_1_to_4"
        ),
    ]


class SelfEvaluationQuerySet(models.QuerySet):
    def visible_to(self, user) -> SelfEvaluationQuerySet:
        from reviews.permissions import report_visibility_q

        return self.filter(report_visibility_q(user))


class SelfEvaluation(SubjectFields):
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
    pledge_notes = models.TextField(_("承诺践诺情况"), blank=True)
    highlights = models.TextField(_("主要成绩"), blank=True)
    shortcomings = models.TextField(_("存在不足"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

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
        return reverse("reviews:report", args=[self.pk])


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReviewQuerySet:
        from reviews.permissions import review_visibility_q

        return self.filter(review_visibility_q(user))

    def for_list(self) -> ReviewQuerySet:
        return self.select_related("organization", "member", "reviewer")


class Grade(models.TextChoices):
    """The one grading scale of the sources (好/较好/一般/差): quarterly reviews and the
    annual assessment both use it."""

    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


class Review(SubjectFields):
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

        NO_REPORT = "no_report", _("未审阅自查自评材料（基层党组织没有认真总结不过关）")
        NO_PROBLEM = "no_problem", _("没有指出存在的不足")
        NO_MEASURE = "no_measure", _("没有提出具体可行的整改措施")

    # Modes in which a review may be given without a written report first.
    MODES_WITHOUT_REPORT = (Mode.ON_SITE, Mode.RANDOM)
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
    date = models.DateField(_("点评日期"))
    mode = models.CharField(_("点评方式"), max_length=20, choices=Mode.choices)
    achievements = models.TextField(_("肯定成绩"), blank=True)
    problems = models.TextField(_("指出问题"), blank=True)
    direction = models.TextField(_("努力方向"), blank=True)
    grade = models.CharField(_("点评等次"), max_length=20, choices=Grade.choices, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    report = models.ForeignKey(
        SelfEvaluation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        verbose_name=_("自查自评"),
    )
    # Given without a report (on-the-spot and random modes only); shown on the review.
    without_report = models.BooleanField(_("未先报后评"), default=False)
    scope = models.CharField(
        _("公开范围"), max_length=20, choices=Scope.choices, default=Scope.ORGANIZATION
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    return_reasons = models.JSONField(_("退回原因"), default=list, blank=True)
    return_remark = models.TextField(_("退回说明"), blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    # A redo after a spot check points at the returned version; both stay on record.
    redo_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redone_by",
        verbose_name=_("重新点评自"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("领导点评")
        verbose_name_plural = _("领导点评")
        ordering = ["-year", "-quarter", "organization_id", "id"]
        indexes = [models.Index(fields=["year", "quarter", "status"])]
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

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="amendments")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(_("更正原因"))
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.review_id} {self.at:%Y-%m-%d}"


# An item whose review is a draft and which was written with it (not carried over).
NOT_ISSUED_Q = Q(review__status="draft", created_at__gte=models.F("review__created_at"))


class RectificationItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> RectificationItemQuerySet:
        from reviews.permissions import item_visibility_q

        return self.filter(item_visibility_q(user))

    def live(self) -> RectificationItemQuerySet:
        """Items owed by their subject: a draft's own items are not yet, but items carried
        into a spot-check redo (created before the redo) stay owed while it is redrafted."""
        return self.exclude(NOT_ISSUED_Q)

    def overdue(self, today: datetime.date | None = None) -> RectificationItemQuerySet:
        today = today or timezone.localdate()
        return self.filter(status__in=RectificationItem.PENDING_STATUSES, deadline__lt=today)

    def for_list(self) -> RectificationItemQuerySet:
        return self.select_related("review", "review__reviewer", "organization", "member")


class RectificationItem(SubjectFields):
    """整改 under 四定: problem, measures, responsible person, deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("整改中")
        DONE = "done", _("已整改待确认")
        CONFIRMED = "confirmed", _("已销号")
        REOPENED = "reopened", _("重新整改")

    PENDING_STATUSES = (Status.OPEN, Status.REOPENED)

    # Empty for a problem the people raised (群众提出的问题纳入整改): no leader review behind it.
    review = models.ForeignKey(
        Review,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="items",
        verbose_name=_("点评"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出人"),
    )
    problem = models.TextField(_("问题"))
    measures = models.TextField(_("整改措施"))
    responsible = models.CharField(_("责任人"), max_length=100)
    deadline = models.DateField(_("整改时限"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    measures_taken = models.TextField(_("整改落实情况"), blank=True)
    reply = models.TextField(_("回复点评人"), blank=True)
    reopen_reason = models.TextField(_("重新整改原因"), blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RectificationItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["deadline", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject_kind="member", member__isnull=False)
                    | Q(subject_kind__in=["organization", "secretary"], member__isnull=True)
                ),
                name="rectification_subject_fk_matches_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="rectification_confirmed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.problem[:40]

    def get_absolute_url(self) -> str:
        return reverse("reviews:item", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status in self.PENDING_STATUSES and self.deadline < timezone.localdate()

    @property
    def is_issued(self) -> bool:
        """Owed by the subject (see RectificationItemQuerySet.live)."""
        if self.review_id is None:
            return True
        return self.review.status != Review.Status.DRAFT or self.created_at < self.review.created_at


class RectificationEvent(models.Model):
    """History of an item: every move with who, when and the words given."""

    class Action(models.TextChoices):
        CREATE = "create", _("提出")
        DONE = "done", _("整改完成")
        REPLY = "reply", _("回复")
        CONFIRM = "confirm", _("确认销号")
        REOPEN = "reopen", _("重新整改")

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    remark = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"


def rectification_upload_to(instance: RectificationEvidence, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()[:8]
    return f"rectification/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class RectificationEvidence(models.Model):
    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=rectification_upload_to)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("reviews:item_evidence", args=[self.pk])


class SuggestionLetterQuerySet(models.QuerySet):
    def visible_to(self, user) -> SuggestionLetterQuerySet:
        from reviews.permissions import letter_visibility_q

        return self.filter(letter_visibility_q(user))


class SuggestionLetter(models.Model):
    """《公开承诺践诺建议书》 to a member who fell short, tracked to the member's reply."""

    class Reason(models.TextChoices):
        UNFULFILLED = "unfulfilled", _("承诺事项未按期兑现")
        POOR_GRADE = "poor_grade", _("领导点评等次为差")

    class Status(models.TextChoices):
        ISSUED = "issued", _("已发出")
        REPLIED = "replied", _("已回复")
        CLOSED = "closed", _("已办结")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="suggestion_letters", verbose_name=_("党员")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("发出党组织")
    )
    number = models.CharField(_("编号"), max_length=40)
    reason = models.CharField(_("发出原因"), max_length=20, choices=Reason.choices)
    pledges = models.ManyToManyField(Pledge, blank=True, related_name="+", verbose_name=_("承诺"))
    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    problems = models.TextField(_("存在问题"))
    measures = models.TextField(_("整改建议及措施"))
    deadline = models.DateField(_("整改时限"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField(_("发出日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ISSUED
    )
    reply = models.TextField(_("党员回复"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = SuggestionLetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开承诺践诺建议书")
        verbose_name_plural = _("公开承诺践诺建议书")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "number"], name="unique_letter_number_per_org"
            ),
            models.CheckConstraint(
                condition=Q(status="issued") | ~Q(reply=""), name="letter_replied_has_reply"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("reviews:letter", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.ISSUED and self.deadline < timezone.localdate()
