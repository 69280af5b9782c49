from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.text import TITLE_MAX

KIND_MAX = 40
SUBJECT_MAX = 100
PERIOD_MAX = 20
BODY_MAX = 2000
LINK_MAX = 300
ERROR_MAX = 500


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> NotificationQuerySet:
        # A notification is its recipient's alone: not even the office reads someone's inbox.
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One thing one person is told, in the app always and on the configured channels.

    The unique constraint on (recipient, kind, subject_key, period) is what makes a reminder
    exactly-once: a second run, or two runs at once, insert nothing new.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    # Defined by the domain (e.g. "monthly_progress"); core only stores and compares it.
    kind = models.CharField(_("类别"), max_length=KIND_MAX)
    subject_key = models.CharField(_("事项"), max_length=SUBJECT_MAX)
    period = models.CharField(_("周期"), max_length=PERIOD_MAX, blank=True)
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    body = models.TextField(_("内容"), max_length=BODY_MAX, blank=True)
    link = models.CharField(_("链接"), max_length=LINK_MAX, blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # The run that inserted the row: after an insert that ignores conflicts, the rows carrying
    # this run's token are exactly the new ones, on PostgreSQL and SQLite alike.
    batch = models.UUIDField(editable=False, db_index=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject_key", "period"],
                name="notification_once_per_subject_and_period",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notifications:list")


class Delivery(models.Model):
    """One notification on one external channel. The row is also the claim: a run inserts it
    (or takes over a failed one) before sending, so no two runs send the same message."""

    class Status(models.TextChoices):
        SENDING = "sending", _("发送中")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败")
        SKIPPED = "skipped", _("未发送（无地址）")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("渠道"), max_length=40)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    error = models.CharField(_("原因"), max_length=ERROR_MAX, blank=True)
    at = models.DateTimeField(_("时间"))
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=1)
    # The run holding the claim; its updates touch only rows carrying its token.
    claim = models.UUIDField(editable=False)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["channel", "status"], name="delivery_channel_status")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.get_status_display()}"


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("立即")
    DIGEST = "digest", _("每日汇总")


class Preference(models.Model):
    """How one user wants one channel: each message at once, or one digest a day (基层减负).
    No row means the channel's default (core.notifications.preferences.DEFAULT_DIGEST)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("用户"),
    )
    channel = models.CharField(_("渠道"), max_length=40)
    mode = models.CharField(_("方式"), max_length=10, choices=Mode.choices)

    class Meta:
        verbose_name = _("通知方式")
        verbose_name_plural = _("通知方式")
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="preference_once_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.get_mode_display()}"


class Digest(models.Model):
    """One day's digest for one user on one channel. The row is the claim: a second run the
    same day finds it and sends nothing (a failed one is taken over and tried again)."""

    class Status(models.TextChoices):
        SENDING = "sending", _("发送中")
        DELIVERED = "delivered", _("已送达")
        FAILED = "failed", _("失败")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_digests",
        verbose_name=_("接收人"),
    )
    channel = models.CharField(_("渠道"), max_length=40)
    day = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    count = models.PositiveIntegerField(_("条数"), default=0)
    error = models.CharField(_("原因"), max_length=ERROR_MAX, blank=True)
    at = models.DateTimeField(_("时间"))
    claim = models.UUIDField(editable=False)

    class Meta:
        verbose_name = _("每日汇总")
        verbose_name_plural = _("每日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "channel", "day"], name="digest_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: {self.get_status_display()}"


class OutboxMessage(models.Model):
    """An email the embedded mode did not send but kept, so a newcomer (or an admin) can read
    what left: written by core.notifications.outbox.OutboxBackend."""

    to = models.CharField(_("收件人"), max_length=500)
    subject = models.CharField(_("主题"), max_length=TITLE_MAX)
    body = models.TextField(_("正文"))
    html = models.TextField(_("HTML 正文"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("发件箱邮件")
        verbose_name_plural = _("发件箱")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
