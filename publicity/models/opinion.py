"""The people's opinions (意见箱) on an organization, a notice or a pledge."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.text import REASON_MAX
from core.versions import Versioned
from pledges.models import Organization, Pledge
from pledges.roles import Roles
from reviews.models import RectificationItem

from .notice import Notice, manage_q

OPINION_MAX = 1000
NAME_MAX = 50
CONTACT_MAX = 100


class OpinionQuerySet(models.QuerySet):
    def visible_to(self, user) -> OpinionQuerySet:
        """The moderation queue: the branch secretary and the office above (leaders only read
        what is published, like everyone)."""
        kinds = Roles.SECRETARY_KINDS + Roles.OFFICE_KINDS
        return self.filter(manage_q(user, "organization__path", kinds))

    def public(self) -> OpinionQuerySet:
        return self.filter(status=Opinion.Status.PUBLISHED)


class Opinion(Versioned):
    """意见箱: what someone wrote about an organization, a notice or a pledge. The contact is
    for a private answer and is never published; no address or device is stored."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        PUBLISHED = "published", _("已公开")
        ANSWERED = "answered", _("已私下答复")
        REJECTED = "rejected", _("不予公开")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("党组织")
    )
    notice = models.ForeignKey(
        Notice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("相关公示"),
    )
    pledge = models.ForeignKey(
        Pledge,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinions",
        verbose_name=_("相关承诺"),
    )
    text = models.TextField(_("意见内容"), max_length=OPINION_MAX)
    name = models.CharField(_("称呼"), max_length=NAME_MAX, blank=True)
    contact = models.CharField(_("联系方式"), max_length=CONTACT_MAX, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    public_reply = models.TextField(_("公开答复"), max_length=OPINION_MAX, blank=True)
    private_answer = models.TextField(_("私下答复"), max_length=OPINION_MAX, blank=True)
    reject_reason = models.CharField(_("不予公开原因"), max_length=REASON_MAX, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("处理人"),
    )
    moderated_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    rectification_item = models.OneToOneField(
        RectificationItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinion",
        verbose_name=_("整改事项"),
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    objects = OpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众意见")
        verbose_name_plural = _("群众意见")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.text[:40]

    def get_absolute_url(self) -> str:
        return reverse("publicity:opinion_detail", args=[self.pk])

    def public_url(self) -> str:
        return reverse("publicity:opinion", args=[self.organization_id, self.pk])
