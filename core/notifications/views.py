from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.access import MAX_PK, get_visible_or_404, require
from core.redirects import safe_next

from . import preferences, selectors, services
from .channels import configured
from .models import Mode, Notification, OutboxMessage

PAGE_SIZE = 20
OUTBOX_PAGE_SIZE = 20


class PreferencesForm(forms.Form):
    """One choice per configured external channel: at once, or in the daily digest."""

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        for channel in channels:
            self.fields[channel.name] = forms.ChoiceField(
                label=channel.label, choices=Mode.choices, widget=forms.RadioSelect
            )


class MarkAllForm(forms.Form):
    # The newest notification the page showed: one that arrived later stays unread.
    up_to = forms.IntegerField(min_value=1, max_value=MAX_PK, required=False)


def _back(request: HttpRequest) -> HttpResponse:
    """Back where the user clicked (a page of the list), never to another site."""
    return HttpResponseRedirect(safe_next(request, reverse("notifications:list")))


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {"page": page, "newest_id": page[0].pk if page.object_list else None},
    )


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_visible_or_404(Notification.objects, request.user, pk)
    services.notification_mark_read(notification=notification, by=request.user)
    messages.success(request, _("已标为已读"))
    return _back(request)


@login_required
@require_POST
def notifications_mark_all_read(request: HttpRequest) -> HttpResponse:
    form = MarkAllForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效，没有标记任何通知"))
        return _back(request)
    count = services.notifications_mark_all_read(by=request.user, up_to=form.cleaned_data["up_to"])
    messages.success(request, _("已将 %(count)d 条通知标为已读") % {"count": count})
    return _back(request)


@login_required
@require_GET
def notification_preferences(request: HttpRequest) -> HttpResponse:
    channels = configured()
    form = PreferencesForm(
        channels=channels,
        initial=preferences.modes_of(request.user, [c.name for c in channels]),
    )
    return render(request, "core/notifications_preferences.html", {"form": form})


@login_required
@require_POST
def notification_preferences_save(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST, channels=configured())
    if not form.is_valid():
        messages.error(request, _("请为每个渠道选择“立即”或“每日汇总”"))
        return render(request, "core/notifications_preferences.html", {"form": form}, status=400)
    services.notification_preferences_save(user=request.user, modes=form.cleaned_data)
    messages.success(request, _("通知方式已保存"))
    return redirect("notifications:preferences")


@login_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """The embedded mode's mail (core.notifications.outbox): for superusers, as in the admin."""
    require(request.user.is_superuser)
    page = Paginator(OutboxMessage.objects.all(), OUTBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "core/notifications_outbox.html", {"page": page})
