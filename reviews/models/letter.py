"""《公开承诺践诺建议书》: suggestion letters to members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import validate_sane
from core.text import bounded_text
from core.versions import Versioned
from pledges.models import Member, Organization, Pledge
from pledges.models.position import visible_q
from pledges.roles import Roles

from .review import Review
from .subject import subtree_q

__all__ = ["SuggestionLetter"]


class SuggestionLetterQuerySet(models.QuerySet):
    def visible_to(self, user) -> SuggestionLetterQuerySet:
        return self.filter(visible_q(user, _letter_rows))


def _letter_rows(roles: Roles) -> Q:
    q = subtree_q(roles)
    if roles.member is not None:
        q |= Q(member=roles.member)
    return q


class SuggestionLetter(Versioned):
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
        Review,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("点评"),
    )
    problems = bounded_text(_("存在问题"))
    measures = bounded_text(_("整改建议及措施"))
    deadline = models.DateField(_("整改时限"), validators=[validate_sane])
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签发人"),
    )
    issued_on = models.DateField(_("发出日期"), validators=[validate_sane])
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.ISSUED
    )
    reply = bounded_text(_("党员回复"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回复人"),
    )
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

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
