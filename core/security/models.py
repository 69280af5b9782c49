"""The security log and the two small tables that sessions and initial passwords need."""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.access import NOTHING

# Set only by `security_log_purge`: the one caller allowed to delete log rows.
purging: ContextVar[bool] = ContextVar("security_log_purging", default=False)


class AppendOnlyError(Exception):
    """The security log is written once and never changed by the application."""


class SecurityEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the security log is append-only")

    def delete(self):
        if not purging.get():
            raise AppendOnlyError("only the retention service removes security log rows")
        return super().delete()

    def under(self, prefixes: list[str] | None) -> SecurityEventQuerySet:
        """Rows whose organization path lies under one of `prefixes`; None means every row."""
        if prefixes is None:
            return self
        q = NOTHING
        for prefix in prefixes:
            if prefix:
                q |= models.Q(org_path__startswith=prefix)
        return self.filter(q)


class SecurityEvent(models.Model):
    """One line of the security log: who did what, from where, to what, with which result.

    The user is kept as id and username, not a foreign key: a line must outlive the account
    and must never be rewritten when an account is deleted.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKOUT = "lockout", _("账号或地址被锁定")
        LOGOUT = "logout", _("退出")
        LOGOUT_EVERYWHERE = "logout_everywhere", _("在所有设备上退出")
        PASSWORD_CHANGE = "password_change", _("修改密码")
        PASSWORD_RESET_REQUIRED = "password_reset_required", _("要求修改初始密码")
        REFUSED = "refused", _("拒绝访问")
        NOT_FOUND = "not_found", _("访问不存在或无权查看的对象")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载")
        IMPORT = "import", _("导入")
        PUBLISH = "publish", _("发布公示")
        WITHDRAW = "withdraw", _("撤回公示")
        PERSONAL_DATA_READ = "personal_data_read", _("查看完整身份证号")

    class Result(models.TextChoices):
        OK = "ok", _("成功")
        FAILED = "failed", _("失败")
        REFUSED = "refused", _("拒绝")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    user_pk = models.BigIntegerField(_("用户编号"), null=True, blank=True)
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    address = models.CharField(_("地址"), max_length=45, blank=True)
    action = models.CharField(_("操作"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_label = models.CharField(_("对象"), max_length=200, blank=True)
    # The organization the line belongs to, as a tree path: the office reads its subtree.
    org_path = models.CharField(_("组织路径"), max_length=255, blank=True, db_index=True)
    result = models.CharField(_("结果"), max_length=16, choices=Result.choices)
    request_path = models.CharField(_("请求地址"), max_length=200, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("安全日志")
        verbose_name_plural = _("安全日志")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action} {self.result}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("the security log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("only the retention service removes security log rows")


class PasswordChangeRequired(models.Model):
    """The account must change its password before doing anything else (an initial password
    the office set or imported). The row goes when the password is changed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("账号"),
    )
    since = models.DateTimeField(_("起始时间"), default=timezone.now)

    class Meta:
        verbose_name = _("须修改初始密码的账号")
        verbose_name_plural = _("须修改初始密码的账号")

    def __str__(self) -> str:
        return str(self.user_id)


class UserSession(models.Model):
    """Which database sessions belong to which user, so "log out everywhere" deletes them
    without decoding every session. Goes with its session (logout, expiry, clearsessions)."""

    session = models.OneToOneField(
        Session,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("会话"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("账号")
    )

    class Meta:
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self) -> str:
        return f"{self.user_id}"
