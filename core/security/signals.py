"""Logins, failures, lockouts and logouts go to the security log."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import SecurityEvent
from .services import security_log, session_begin


def _known(username: str):
    """The account a typed username names, if any: its office then sees the failures."""
    if not username or "\x00" in username:
        return None
    return get_user_model()._default_manager.filter(username=username[:150]).first()


@receiver(user_logged_in, dispatch_uid="security_login")
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_begin(request=request, user=user)


@receiver(user_login_failed, dispatch_uid="security_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))
    security_log(
        action=SecurityEvent.Action.LOGIN_FAILED,
        request=request,
        user=_known(username),
        username=username,
        result=SecurityEvent.Result.FAILED,
    )


@receiver(user_locked_out, dispatch_uid="security_locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs):
    security_log(
        action=SecurityEvent.Action.LOCKOUT,
        request=request,
        user=_known(str(username or "")),
        username=str(username or ""),
        result=SecurityEvent.Result.REFUSED,
    )


@receiver(user_logged_out, dispatch_uid="security_logout")
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        security_log(action=SecurityEvent.Action.LOGOUT, request=request, user=user)
