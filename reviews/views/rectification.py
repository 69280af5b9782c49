"""Pages of rectification items: the work lists, an item, one POST view per move (done,
reply, confirm, reopen), evidence downloads and the 整改台账."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import get_visible_or_404
from core.errors import TransitionError
from core.versions import posted_version

from ..forms.rectification import ItemDoneForm, ReopenForm, ReplyForm
from ..ledgers import rectification as ledgers
from ..models import (
    RectificationEvidence,
    RectificationItem,
)
from ..rules import rectification as rules
from ..selectors import rectification as selectors
from ..services import rectification as services
from .common import PAGE_SIZE, ledger_download


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
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(RectificationItem.objects.for_list(), request.user, pk)
    user = request.user
    can_work = rules.can_work_on_item(user, item) and item.is_issued
    can_confirm = rules.can_confirm_item(user, item)
    return render(
        request,
        "reviews/item_detail.html",
        {
            "item": item,
            "events": item.events.select_related("actor"),
            "evidence": item.evidence.all(),
            "can_work": can_work,
            "can_confirm": can_confirm,
            "done_form": ItemDoneForm(),
            "reply_form": ReplyForm(initial={"version": item.edit_version}),
            "reason_form": ReopenForm(),
        },
    )


def _item_move(request: HttpRequest, pk: int, move, done: str) -> HttpResponse:
    """Run one move on a visible item; a refused move says why and changes nothing."""
    item = get_visible_or_404(RectificationItem.objects.for_list(), request.user, pk)
    try:
        move(item, request.POST.get("text", ""))
    except TransitionError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, done)
    return redirect(item)


@login_required
@require_POST
def item_done(request: HttpRequest, pk: int) -> HttpResponse:
    form = ItemDoneForm(request.POST, request.FILES)

    def done(item, _text):
        if not form.is_valid():
            raise TransitionError(form.first_error())
        d = form.cleaned_data
        services.item_done(
            item=item, by=request.user, measures_taken=d["measures_taken"], reply=d["reply"],
            files=d["files"],
        )  # fmt: skip

    return _item_move(request, pk, done, _("已报整改完成，等待点评人确认"))


@login_required
@require_POST
def item_reply(request: HttpRequest, pk: int) -> HttpResponse:
    def reply(item, text):
        version = posted_version(request.POST)
        services.item_reply(item=item, by=request.user, text=text, version=version)

    return _item_move(request, pk, reply, _("已回复点评人"))


@login_required
@require_POST
def item_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    def confirm(item, text):
        services.item_confirm(item=item, by=request.user, remark=text)

    return _item_move(request, pk, confirm, _("已确认销号"))


@login_required
@require_POST
def item_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def reopen(item, text):
        services.item_reopen(item=item, by=request.user, reason=text)

    return _item_move(request, pk, reopen, _("已要求重新整改"))


@login_required
def item_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return get_visible_or_404(RectificationEvidence, request.user, pk).download()


@login_required
def items_export(request: HttpRequest, pk: int) -> HttpResponse:
    """整改台账 (Excel) of the office's subtree."""
    return ledger_download(
        request, pk, ledgers.write_items, ledgers.items_title, ascii_name="rectification-ledger"
    )
