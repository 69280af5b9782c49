"""Login lockout page, password change, log out everywhere, the security log page and export."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.access import require
from core.xlsx import xlsx_download

from . import selectors, services
from .export import write_security_log
from .forms import SecurityLogFilterForm
from .models import SecurityEvent
from .scopes import allowed_prefixes

PAGE_SIZE = 50


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes shows a locked-out login (AXES_LOCKOUT_CALLABLE): when to retry.

    Every attempt during the lockout starts the cool-off again, so "now + cool-off" is exact.
    """
    cool_off: datetime.timedelta = settings.AXES_COOLOFF_TIME
    context = {
        "retry_at": timezone.localtime() + cool_off,
        "minutes": int(cool_off.total_seconds() // 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "registration/locked_out.html", context, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (its validators, keeping this session signed in), plus the log line and
    the end of a forced change."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_change_record(request=self.request)
        return response


@login_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    count = services.sessions_end_all(request=request)
    messages.success(request, _("已在所有设备上退出（%(n)d 个登录）。") % {"n": count})
    return redirect("login")


def _scope(request: HttpRequest) -> list[str] | None:
    prefixes = allowed_prefixes(request.user)
    require(prefixes != [])
    return prefixes


@login_required
@require_GET
def security_log_page(request: HttpRequest) -> HttpResponse:
    prefixes = _scope(request)
    form = SecurityLogFilterForm(request.GET or None)
    events = selectors.security_events(prefixes=prefixes, **form.filters())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "security/log.html",
        {"form": form, "page": page, "export_query": request.GET.urlencode()},
    )


@login_required
@require_GET
def security_log_export(request: HttpRequest) -> HttpResponse:
    prefixes = _scope(request)
    form = SecurityLogFilterForm(request.GET or None)
    events = selectors.security_events(prefixes=prefixes, **form.filters())
    services.security_log(
        action=SecurityEvent.Action.EXPORT, request=request, object_type=_("安全日志")
    )
    return xlsx_download(
        lambda out: write_security_log(out, events),
        filename=f"{_('安全审计日志')}-{timezone.localdate():%Y%m%d}.xlsx",
        ascii_name=f"security-log-{timezone.localdate():%Y%m%d}.xlsx",
    )
