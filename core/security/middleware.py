"""Signed-in sessions: idle timeout, forced password change, no-store; refusals are logged."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .models import SecurityEvent
from .services import LAST_SEEN, MUST_CHANGE_PASSWORD, current_request, security_log


def _signed_in(request) -> bool:
    # Reads the session (loaded once per request anyway), never the user row.
    session = getattr(request, "session", None)
    return session is not None and SESSION_KEY in session


class IdleTimeoutMiddleware:
    """Log out a session idle for longer than SESSION_IDLE_SECONDS (30 minutes).

    The session's expiry (SESSION_COOKIE_AGE, the same 30 minutes) is pushed forward by saving
    the session, but at most once a minute: saving on every request (SESSION_SAVE_EVERY_REQUEST)
    would add a database write to every page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _signed_in(request):
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                messages.info(request, _("您已超过 30 分钟未操作，请重新登录。"))
            elif last_seen is None or now - last_seen >= settings.SESSION_REFRESH_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """An account flagged for a password change reaches only the password change page (and
    logging out) until it has changed the password."""

    ALLOWED_NAMES = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed: set[str] | None = None

    def __call__(self, request):
        if _signed_in(request) and request.session.get(MUST_CHANGE_PASSWORD):
            if self.allowed is None:
                self.allowed = {reverse(name) for name in self.ALLOWED_NAMES}
                self.allowed.add(reverse("security:logout_everywhere"))
            if request.path not in self.allowed:
                messages.warning(request, _("首次登录请先修改初始密码。"))
                return redirect("password_change")
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages seen signed in are private: no browser or proxy may keep a copy (a shared
    office computer's Back button or cache must not show them to the next person)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


class AccessLogMiddleware:
    """Log every 403, every 404 a signed-in user meets (an object out of their scope looks like
    one that does not exist), and every file a signed-in user downloads, with user and address.
    Anonymous 404s are not logged: they are mostly crawlers, and every private page sends
    strangers to the login page. Downloads are recognised by their response (an attachment),
    so evidence files, ledgers and templates are all logged here, in one place."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        if response.status_code == 403:
            security_log(
                action=SecurityEvent.Action.REFUSED,
                request=request,
                result=SecurityEvent.Result.REFUSED,
            )
        elif response.status_code == 404 and _signed_in(request):
            security_log(
                action=SecurityEvent.Action.NOT_FOUND,
                request=request,
                result=SecurityEvent.Result.REFUSED,
            )
        elif _is_download(response) and _signed_in(request):
            security_log(
                action=SecurityEvent.Action.DOWNLOAD,
                request=request,
                object_type=_("文件"),
                object_label=request.path[:200],
            )
        return response


def _is_download(response) -> bool:
    disposition = response.get("Content-Disposition", "")
    return response.status_code == 200 and disposition.startswith("attachment")
