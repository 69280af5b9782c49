"""践诺记实: the progress form (also posted from list pages) and evidence downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import once
from core.access import get_visible_or_404, require
from core.errors import TransitionError
from core.moves import flash_outcome, post_only_on_visible
from core.redirects import safe_next

from ..forms.progress import ProgressForm
from ..models import Evidence, ProgressRecord
from ..rules.pledge import can_record_progress
from ..services.progress import progress_add as add_progress
from ..services.progress import progress_record_set_public as set_public
from ..services.progress import progress_records_set_public as set_all_public
from .shared import first_errors, pledge_move, visible_pledge


@login_required
def progress_add(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = visible_pledge(request, pk)
    require(can_record_progress(request.user, pledge))
    form = ProgressForm(request.POST or None, request.FILES or None)
    back = safe_next(request, pledge.get_absolute_url())
    if request.method == "POST" and form.is_valid():
        if not once.claim(request):
            messages.info(request, _("这条记实已经保存过了，请勿重复提交"))
            return redirect(back)
        try:
            add_progress(pledge=pledge, by=request.user, **form.cleaned_data)
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("记实已保存"))
            return redirect(back)
    if request.method == "POST" and "next" in request.POST:
        # Posted from a list page: say what was wrong there, where the person was working.
        first_errors(request, form)
        return redirect(back)
    return render(
        request,
        "pledges/pledge_form.html",
        {
            "form": form,
            "pledge": pledge,
            "title": _("践诺记实"),
            "multipart": True,
            "breadcrumbs": pledge.owner_org.breadcrumbs(),
        },
    )


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    return get_visible_or_404(Evidence, request.user, pk).download()


@post_only_on_visible(
    ProgressRecord.objects.select_related("pledge__owner_org", "pledge__owner_member")
)
def progress_record_set_public(request: HttpRequest, record: ProgressRecord) -> HttpResponse:
    """The secretary's choice of what the people see of one record: text, and photos."""
    text = request.POST.get("is_public") == "1"
    photos = request.POST.get("photos_public") == "1"
    with flash_outcome(request, _("公开设置已保存")):
        set_public(record=record, by=request.user, text=text, photos=photos)
    return redirect(record.pledge.get_absolute_url())


@pledge_move
def progress_records_set_public(request: HttpRequest, pledge) -> HttpResponse:
    """The bulk switch: every record of the pledge shown (or hidden) the same way."""
    text = request.POST.get("is_public") == "1"
    photos = request.POST.get("photos_public") == "1"
    with flash_outcome(request, _("公开设置已保存")):
        set_all_public(pledge=pledge, by=request.user, text=text, photos=photos)
    return redirect(pledge.get_absolute_url())
