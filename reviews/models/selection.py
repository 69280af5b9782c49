"""组织评选: an office's selection round (七一 评先树优) over its subtree, the quotas of the
organizations under it, and their nominations (推荐).

A round draws on one year (`year`): the nominee's pledges, reviews, mass evaluations, annual
grade and rectification of that year stand beside each nomination. Its life: open (the
quota-holding organizations nominate) → shortlisted (the office chose the short list) →
publicised (the short list is on a 公示; set by the publicity app when the notice is approved,
undone when it is withdrawn) → decided (after the window: the 表彰名单, public and kept by year).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import REASON_MAX, TITLE_MAX
from core.versions import Versioned
from pledges.models import Member, Organization
from pledges.models.position import visible_q
from pledges.roles import Roles

__all__ = ["Honour", "Nomination", "SelectionQuota", "SelectionRound"]

MAX_QUOTA = 999


class Honour(models.TextChoices):
    """What a round selects; the third names organizations, the others members."""

    EXCELLENT_MEMBER = "excellent_member", _("优秀共产党员")
    EXCELLENT_WORKER = "excellent_worker", _("优秀党务工作者")
    ADVANCED_ORG = "advanced_org", _("先进基层党组织")


def _ancestor_paths(roles: Roles, kinds: tuple[str, ...]) -> list[str]:
    steplen = Organization.steplen
    return sorted(
        {p[: i * steplen] for p in roles.paths(kinds) for i in range(1, len(p) // steplen + 1)}
    )


def _round_rows(roles: Roles) -> Q:
    # Anyone over the round's organization, and the secretaries under it (they nominate).
    q = roles.within("organization__path")
    above = _ancestor_paths(roles, roles.SECRETARY_KINDS)
    if above:
        q |= Q(organization__path__in=above)
    return q


class SelectionRoundQuerySet(models.QuerySet):
    def visible_to(self, user) -> SelectionRoundQuerySet:
        return self.filter(visible_q(user, _round_rows))

    def decided(self) -> SelectionRoundQuerySet:
        return self.filter(status=SelectionRound.Status.DECIDED)


class SelectionRound(Versioned):
    """Versioned: the short list and the decision are whole-page choices of the office; one
    made on a page older than the round's last change is refused, never silently replaced."""

    class Status(models.TextChoices):
        OPEN = "open", _("推荐中")
        SHORTLISTED = "shortlisted", _("已确定公示人选")
        PUBLICISED = "publicised", _("公示中")
        DECIDED = "decided", _("已表彰")

    Honour = Honour

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="selection_rounds",
        verbose_name=_("组织评选的党组织"),
    )
    honour = models.CharField(_("评选项目"), max_length=30, choices=Honour.choices)
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    year = models.PositiveSmallIntegerField(_("考察年度"))
    nominations_due = models.DateField(_("推荐截止日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    # The 公示 window, copied from the approved notice (publicity sets it).
    publicity_starts_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("公示结束日期"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发起人"),
    )
    opened_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    shortlisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确定公示人选人"),
    )
    shortlisted_at = models.DateTimeField(_("确定公示人选时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_at = models.DateTimeField(_("表彰决定时间"), null=True, blank=True)

    objects = SelectionRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织评选")
        verbose_name_plural = _("组织评选")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["organization", "status", "year"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reviews:selection_round", args=[self.pk])

    @property
    def names_organizations(self) -> bool:
        return self.honour == Honour.ADVANCED_ORG


class SelectionQuota(models.Model):
    """How many an organization directly under the round's organization may nominate."""

    round = models.ForeignKey(
        SelectionRound, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("组织评选")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐单位")
    )
    places = models.PositiveSmallIntegerField(_("推荐名额"))

    class Meta:
        verbose_name = _("推荐名额")
        verbose_name_plural = _("推荐名额")
        ordering = ["round_id", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="one_quota_per_unit"),
            models.CheckConstraint(
                condition=Q(places__lte=MAX_QUOTA), name="selection_quota_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.places}"


def _nomination_rows(roles: Roles) -> Q:
    # The nominating organization's secretary and everyone over it (the office of the round).
    return roles.within("unit__path")


class NominationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NominationQuerySet:
        return self.filter(visible_q(user, _nomination_rows))

    def for_list(self) -> NominationQuerySet:
        return self.select_related("unit", "member", "organization").order_by("unit__path", "id")


class Nomination(models.Model):
    """推荐: one member (or organization) put forward by a quota-holding organization, with a
    reason. `caution` says what the system found against the nominee when he was nominated
    (annual grade 差, a review graded 差, an overdue unfulfilled pledge); such a nomination needs
    a written `caution_reason`, which the 公示 shows."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("已推荐")
        SHORTLISTED = "shortlisted", _("拟表彰（公示）")
        AWARDED = "awarded", _("已表彰")
        NOT_AWARDED = "not_awarded", _("未表彰")

    round = models.ForeignKey(
        SelectionRound,
        on_delete=models.CASCADE,
        related_name="nominations",
        verbose_name=_("组织评选"),
    )
    unit = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐单位")
    )
    # The nominee: a member (organization = his own) or an organization (member empty).
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("党组织")
    )
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
        verbose_name=_("党员"),
    )
    reason = models.TextField(_("推荐理由"), max_length=REASON_MAX * 2)
    caution = models.CharField(_("需说明的情况"), max_length=REASON_MAX, blank=True)
    caution_reason = models.TextField(_("书面说明"), max_length=REASON_MAX * 2, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.NOMINATED, db_index=True
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("推荐人"),
    )
    nominated_at = models.DateTimeField(_("推荐时间"), default=timezone.now)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("推荐")
        verbose_name_plural = _("推荐")
        ordering = ["round_id", "unit_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "member"],
                condition=Q(member__isnull=False),
                name="one_nomination_per_member",
            ),
            models.UniqueConstraint(
                fields=["round", "organization"],
                condition=Q(member__isnull=True),
                name="one_nomination_per_organization",
            ),
            models.CheckConstraint(
                condition=Q(caution="") | ~Q(caution_reason=""),
                name="nomination_caution_explained",
            ),
        ]

    def __str__(self) -> str:
        return self.nominee_name

    @property
    def nominee_name(self) -> str:
        return self.member.name if self.member_id else self.organization.name

    @property
    def nominee_key(self) -> str:
        return f"m:{self.member_id}" if self.member_id else f"o:{self.organization_id}"
