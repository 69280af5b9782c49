"""整改: rectification items of a review, their history and evidence."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.files import UploadedEvidence
from core.history import HistoryEntry
from core.text import REASON_MAX, bounded_text
from core.versions import Versioned
from pledges.models.position import Member, visible_q
from pledges.roles import Roles

from .review import Review
from .subject import SubjectFields, subtree_q

__all__ = ["RectificationItem", "RectificationEvent", "RectificationEvidence", "NOT_ISSUED_Q"]


# An item whose review is a draft and which was written with it (not carried over). As an
# EXISTS over drafts, which a partial index holds: a join to the review would read every
# review of a city to drop the few drafts.
NOT_ISSUED_Q = Q(
    Exists(
        Review.objects.filter(
            pk=OuterRef("review_id"),
            status=Review.Status.DRAFT,
            created_at__lte=OuterRef("created_at"),
        )
    )
)


class RectificationItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> RectificationItemQuerySet:
        return self.filter(visible_q(user, lambda roles: _item_rows(user, roles)))

    def live(self) -> RectificationItemQuerySet:
        """Items owed by their subject: a draft's own items are not yet, but items carried
        into a spot-check redo (created before the redo) stay owed while it is redrafted."""
        return self.exclude(NOT_ISSUED_Q)

    def overdue(self, today: datetime.date | None = None) -> RectificationItemQuerySet:
        today = today or timezone.localdate()
        return self.filter(status__in=RectificationItem.PENDING_STATUSES, deadline__lt=today)

    def for_list(self) -> RectificationItemQuerySet:
        return self.select_related("review", "review__reviewer", "organization", "member")


def _item_rows(user, roles: Roles) -> Q:
    """Items he gave; issued items of his subtree and his own as a member."""
    issued = ~NOT_ISSUED_Q
    q = Q(review__reviewer=user) | subtree_q(roles) & issued
    if roles.member is not None:
        q |= Q(member=roles.member) & issued
    return q


class RectificationItem(Versioned, SubjectFields):
    """整改 under 四定 (定责任人、定具体目标、定工作措施、定工作进度): problem, target, measures,
    responsible person, deadline.

    `responsible` is the 责任人's name as shown everywhere; `responsible_member` links it when he
    is a member of the subject's organization (picked from a list), and is empty for someone
    from outside (typed) and for items older than the link whose name matched nobody."""

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
    problem = bounded_text(_("问题"))
    # Blank only on items written before 四定 asked for it; services require it on new ones.
    target = bounded_text(_("整改目标"), blank=True)
    measures = bounded_text(_("整改措施"))
    responsible = models.CharField(_("责任人"), max_length=100)
    responsible_member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人（党员）"),
    )
    deadline = models.DateField(_("整改时限"), validators=[validate_sane], db_index=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    measures_taken = bounded_text(_("整改落实情况"), blank=True)
    reply = bounded_text(_("回复点评人"), blank=True)
    reopen_reason = bounded_text(_("重新整改原因"), limit=REASON_MAX, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("整改完成人"),
    )
    done_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("销号确认人"),
    )
    confirmed_at = models.DateTimeField(_("销号确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

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
        return reverse("reviews:rectification_item_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status in self.PENDING_STATUSES and self.deadline < timezone.localdate()

    @property
    def is_issued(self) -> bool:
        """Owed by the subject (see RectificationItemQuerySet.live)."""
        if self.review_id is None:
            return True
        return self.review.status != Review.Status.DRAFT or self.created_at < self.review.created_at


class RectificationEvent(HistoryEntry):
    """History of an item: every move with who, when and the words given."""

    class Action(models.TextChoices):
        CREATE = "create", _("提出")
        DONE = "done", _("整改完成")
        REPLY = "reply", _("回复")
        CONFIRM = "confirm", _("确认销号")
        REOPEN = "reopen", _("重新整改")

    item = models.ForeignKey(
        RectificationItem,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("整改事项"),
    )
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)


class RectificationEvidenceQuerySet(models.QuerySet):
    def visible_to(self, user) -> RectificationEvidenceQuerySet:
        return self.filter(item__in=RectificationItem.objects.visible_to(user))


class RectificationEvidence(UploadedEvidence):
    UPLOAD_DIR = "rectification"

    item = models.ForeignKey(
        RectificationItem,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("整改事项"),
    )

    objects = RectificationEvidenceQuerySet.as_manager()

    def get_absolute_url(self) -> str:
        return reverse("reviews:rectification_item_evidence", args=[self.pk])
