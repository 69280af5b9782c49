from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.access import MAX_PK, get_visible_or_404
from core.redirects import safe_next

from . import selectors, services
from .models import Notification

PAGE_SIZE = 20


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
