"""Pages of rectification items: the work lists, an item, one POST view per move (done,
reply, confirm, reopen), evidence downloads and the 整改台账."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import get_visible_or_404
from core.errors import TransitionError
from core.moves import flash_outcome, post_only_on_visible
from core.versions import posted_version

from ..forms.rectification import ItemDoneForm, ReopenForm, ReplyForm
from ..models import (
    RectificationEvidence,
    RectificationItem,
)
from ..rules import rectification as rules
from ..selectors import rectification as selectors
from ..services import rectification as services
from .common import PAGE_SIZE


@login_required
def rectification(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = Paginator(
        selectors.work_order(selectors.items_for_subject_side(user)), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    given = Paginator(selectors.work_order(selectors.items_given_by(user)), PAGE_SIZE).get_page(
        request.GET.get("gpage")
    )
    return render(
        request,
        "reviews/rectification.html",
        {"mine": mine, "given": given, "today": timezone.localdate()},
    )


@login_required
def rectification_item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(RectificationItem.objects.for_list(), request.user, pk)
    user = request.user
    can_work = rules.can_work_on_rectification_item(user, item) and item.is_issued
    can_confirm = rules.can_confirm_rectification_item(user, item)
    return render(
        request,
        "reviews/rectification_item_detail.html",
        {
            "rectification_item": item,
            "events": item.events.select_related("actor"),
            "evidence": item.evidence.all(),
            "can_work": can_work,
            "can_confirm": can_confirm,
            "done_form": ItemDoneForm(),
            "reply_form": ReplyForm(initial={"version": item.edit_version}),
            "reason_form": ReopenForm(),
        },
    )


_items = RectificationItem.objects.for_list()


@post_only_on_visible(_items)
def rectification_item_done(request: HttpRequest, item: RectificationItem) -> HttpResponse:
    form = ItemDoneForm(request.POST, request.FILES)
    with flash_outcome(request, _("已报整改完成，等待点评人确认")):
        if not form.is_valid():
            raise TransitionError(form.first_error())
        d = form.cleaned_data
        services.rectification_item_done(
            item=item, by=request.user, measures_taken=d["measures_taken"], reply=d["reply"],
            files=d["files"],
        )  # fmt: skip
    return redirect(item)


@post_only_on_visible(_items)
def rectification_item_reply(request: HttpRequest, item: RectificationItem) -> HttpResponse:
    with flash_outcome(request, _("已回复点评人")):
        services.rectification_item_reply(
            item=item,
            by=request.user,
            text=request.POST.get("text", ""),
            version=posted_version(request.POST),
        )
    return redirect(item)


@post_only_on_visible(_items)
def rectification_item_confirm(request: HttpRequest, item: RectificationItem) -> HttpResponse:
    with flash_outcome(request, _("已确认销号")):
        services.rectification_item_confirm(
            item=item, by=request.user, remark=request.POST.get("text", "")
        )
    return redirect(item)


@post_only_on_visible(_items)
def rectification_item_reopen(request: HttpRequest, item: RectificationItem) -> HttpResponse:
    with flash_outcome(request, _("已要求重新整改")):
        services.rectification_item_reopen(
            item=item, by=request.user, reason=request.POST.get("text", "")
        )
    return redirect(item)


@login_required
def rectification_item_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return get_visible_or_404(RectificationEvidence, request.user, pk).download()
