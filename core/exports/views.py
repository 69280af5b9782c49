"""Export pages: start (POST), the job with its progress, its status as JSON, the download,
retry (POST) and "my exports". A job is its requester's: anyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import once
from core.access import get_visible_or_404
from core.downloads import protected_file_response
from core.errors import TransitionError
from core.redirects import safe_next

from . import registry, selectors, services
from .models import ExportJob

# Posted fields that are not the export's params.
NOT_PARAMS = {"csrfmiddlewaretoken", "kind", "next", once.TOKEN_FIELD}
PER_PAGE = 30


def _back(request: HttpRequest) -> str:
    return safe_next(request, reverse("exports:mine"))


def _job(request: HttpRequest, pk: int) -> ExportJob:
    """The user's job, failed first if its worker died (so the page never shows it stuck)."""
    job = get_visible_or_404(ExportJob, request.user, pk)
    if job.is_stale():
        services.exports_fail_stale(job=job)
    return job


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    if not once.claim(request):
        messages.info(request, _("这个导出已经开始了"))
        return redirect("exports:mine")
    params = {k: v for k, v in request.POST.items() if k not in NOT_PARAMS}
    try:
        job = services.export_start(by=request.user, kind=request.POST.get("kind"), params=params)
    except PermissionDenied as e:
        raise Http404 from e  # like any address outside what the user may see
    except TransitionError as e:
        messages.error(request, str(e))
        return redirect(_back(request))
    return redirect(job)


@login_required
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    # One wording for the page and for exports.js, which fills the same placeholders.
    rows_format = _("已写 %(done)s / %(total)s 行")
    rows_text = rows_format % {"done": job.rows_done, "total": job.rows_total}
    context = {"job": job, "label": registry.label_of(job.kind), "rows_format": rows_format}
    return render(request, "core/exports/job.html", {**context, "rows_text": rows_text})


@login_required
def status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)
    response = JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "done": job.rows_done,
            "total": job.rows_total,
            "percent": job.percent,
            "error": job.error,
        }
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_visible_or_404(ExportJob, request.user, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    response = protected_file_response(
        job.file, filename=job.filename, content_type=job.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_visible_or_404(ExportJob, request.user, pk)
    try:
        services.export_retry(job=job, by=request.user)  # visible, not allowed: 403
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(job)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_exports(request.user), PER_PAGE).get_page(request.GET.get("page"))
    for job in page:
        job.label = registry.label_of(job.kind)
    return render(request, "core/exports/mine.html", {"page": page})
