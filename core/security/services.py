"""Every write the security app makes: log lines, the retention purge, initial-password flags,
sessions. The domain calls `security_log` for exports, downloads, imports, publication and
withdrawal, and `password_change_require` for accounts the office creates or imports."""

from __future__ import annotations

import contextvars
import datetime
import re
import time

from django.contrib.auth import logout
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .addresses import client_address
from .models import PasswordChangeRequired, SecurityEvent, UserSession, purging
from .scopes import user_org_path

# Session keys this app keeps.
LAST_SEEN = "security_last_seen"
MUST_CHANGE_PASSWORD = "security_must_change_password"

RETENTION_DAYS = 180
# NUL and the other control characters never reach a log line (PostgreSQL refuses NUL).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: object, limit: int) -> str:
    return CONTROL.sub("", str(value or ""))[:limit]


current_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar(
    "current_request", default=None
)


def security_log(
    *,
    action: str,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    result: str = SecurityEvent.Result.OK,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    org_path: str | None = None,
) -> SecurityEvent:
    """Append one line to the security log.

    `user` defaults to the request's signed-in user and `org_path` to the organization the
    user's hook files them under; pass the object's own organization path where there is one
    (e.g. the exported organization's `path`) so the right office sees the line. One INSERT,
    no savepoint: it joins the caller's transaction, so a rolled-back export leaves no line.
    """
    # Services do not take the request; the access-log middleware keeps it for the lines they
    # write, so an export, an import or a publication is logged with its address too.
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if getattr(candidate, "is_authenticated", False):
            user = candidate
    if obj is not None:
        object_type = object_type or str(obj._meta.verbose_name)
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)
    if org_path is None:
        org_path = user_org_path(user)
    return SecurityEvent.objects.create(
        user_pk=user.pk if user is not None else None,
        username=_text(user.get_username() if user is not None else username, 150),
        address=client_address(request) if request is not None else "",
        action=action,
        result=result,
        object_type=_text(object_type, 100),
        object_id=_text(object_id, 64),
        object_label=_text(object_label, 200),
        org_path=_text(org_path, 255),
        request_path=_text(request.path, 200) if request is not None else "",
    )


def passwords_change_require(*, users: list, by, org_path: str) -> None:
    """Flag many accounts the office created at once (a roster import): one insert for the
    flags and one for their log lines, filed under the importing organization."""
    PasswordChangeRequired.objects.bulk_create(
        [PasswordChangeRequired(user=user) for user in users], ignore_conflicts=True
    )
    request = current_request.get()
    address = client_address(request) if request is not None else ""
    SecurityEvent.objects.bulk_create(
        SecurityEvent(
            user_pk=by.pk,
            username=_text(by.get_username(), 150),
            address=address,
            action=SecurityEvent.Action.PASSWORD_RESET_REQUIRED,
            object_type=_text(str(user._meta.verbose_name), 100),
            object_id=str(user.pk),
            object_label=_text(user.get_username(), 200),
            org_path=_text(org_path, 255),
        )
        for user in users
    )


@transaction.atomic
def security_log_purge(*, days: int = RETENTION_DAYS) -> int:
    """Remove the lines older than `days` (180: the retention 等保 asks for); return how many.

    The only delete the log allows; the database refuses any other (see the migration)."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    token = purging.set(True)
    try:
        count, _by_model = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    finally:
        purging.reset(token)
    return count


@transaction.atomic
def password_change_require(*, user, request: HttpRequest | None = None) -> None:
    """Flag an account whose password the office set (created, imported, reset): at its next
    login it is sent to change the password before anything else."""
    _flag, created = PasswordChangeRequired.objects.get_or_create(user=user)
    if created:
        security_log(
            action=SecurityEvent.Action.PASSWORD_RESET_REQUIRED,
            request=request,
            obj=user,
            org_path=user_org_path(user),
        )


@transaction.atomic
def password_change_record(*, request: HttpRequest) -> None:
    """After a user changed their own password: clear the flag, keep the session findable by
    "log out everywhere" (changing the password gave it a new key), log the change."""
    user = request.user
    PasswordChangeRequired.objects.filter(user=user).delete()
    request.session.pop(MUST_CHANGE_PASSWORD, None)
    session_track(request=request, user=user)
    security_log(action=SecurityEvent.Action.PASSWORD_CHANGE, request=request)


def session_track(*, request: HttpRequest, user) -> None:
    """Index the request's session under its user and start the idle clock."""
    session = request.session
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(session_id=session.session_key, defaults={"user": user})
    session[LAST_SEEN] = int(time.time())


@transaction.atomic
def session_begin(*, request: HttpRequest, user) -> None:
    """At login: index the session, note whether the password must change, log the login."""
    session_track(request=request, user=user)
    if PasswordChangeRequired.objects.filter(user=user).exists():
        request.session[MUST_CHANGE_PASSWORD] = True
    security_log(action=SecurityEvent.Action.LOGIN, request=request, user=user)


@transaction.atomic
def sessions_end_all(*, request: HttpRequest) -> int:
    """Log out everywhere: delete every session of the user (this one too); return how many."""
    user = request.user
    security_log(action=SecurityEvent.Action.LOGOUT_EVERYWHERE, request=request)
    keys = list(UserSession.objects.filter(user=user).values_list("session_id", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    logout(request)
    return len(keys)
