"""One export: who asked for what, how far it got, and the file, kept 7 days."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import file_type_of

# A job whose heartbeat is older than this lost its worker (builders report at least once a
# minute); a queued job never picked up in an hour has no worker at all.
STALE_AFTER = datetime.timedelta(minutes=3)
QUEUED_TOO_LONG = datetime.timedelta(hours=1)
KEEP_FOR = datetime.timedelta(days=7)


def export_upload_to(instance: ExportJob, filename: str) -> str:
    # Random names: a stored name tells nothing and cannot be guessed.
    suffix = file_type_of(instance.kind)[0]
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ExportJobQuerySet:
        """A file is its requester's alone: nobody else sees the job, not even the office."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(requester=user)


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("申请人"),
    )
    kind = models.CharField(_("类型"), max_length=50)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    file = models.FileField(_("文件"), upload_to=export_upload_to, max_length=200, blank=True)
    error = models.CharField(_("失败原因"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    queued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requester", "-created_at"], name="export_mine"),
            models.Index(fields=["status", "heartbeat_at"], name="export_status"),
            models.Index(fields=["expires_at"], name="export_expiry"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exports:job", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)

    @property
    def filename(self) -> str:
        return f"{self.title}.{file_type_of(self.kind)[0]}"

    @property
    def content_type(self) -> str:
        return file_type_of(self.kind)[1]

    def is_stale(self, now: datetime.datetime | None = None) -> bool:
        """The worker died (no heartbeat) or never came (queued for an hour)."""
        now = now or timezone.now()
        if self.status == self.Status.RUNNING:
            return self.heartbeat_at is None or self.heartbeat_at < now - STALE_AFTER
        if self.status == self.Status.QUEUED:
            return self.queued_at < now - QUEUED_TOO_LONG
        return False
