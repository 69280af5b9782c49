"""Roster import page and its template download. The work is in pledges.roster."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from . import permissions, roster
from .models import Member, Organization


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("名册文件（.xlsx）"))
    check_only = forms.BooleanField(
        label=gettext_lazy("只检查，不导入"),
        required=False,
        help_text=gettext_lazy("勾选后只列出问题和将要导入的人数，不写入任何数据"),
    )


def _importable_org(request: HttpRequest, pk: int) -> Organization:
    org = get_object_or_404(Organization, pk=pk)
    if not permissions.can_view_organization(request.user, org):
        raise Http404
    if not permissions.can_import_roster(request.user, org):
        raise PermissionDenied
    return org


def xlsx_response(content: bytes, filename: str, ascii_name: str) -> HttpResponse:
    """An .xlsx download with a Chinese file name (RFC 5987) and a plain fallback."""
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


@login_required
@never_cache  # the result page shows initial passwords once; no copy may be kept
def roster_import(request: HttpRequest, pk: int) -> HttpResponse:
    org = _importable_org(request, pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = roster.roster_import(
            org=org,
            by=request.user,
            file=form.cleaned_data["file"],
            check_only=form.cleaned_data["check_only"],
        )
    return render(
        request,
        "pledges/roster_import.html",
        {
            "org": org,
            "form": form,
            "result": result,
            "columns": roster.COLUMNS,
            "max_rows": roster.MAX_ROWS,
            "max_logins": roster.MAX_LOGINS,
            "kinds": [label for _v, label in Member.Kind.choices],
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("导入党员名册"),
        },
    )


@login_required
def roster_template(request: HttpRequest, pk: int) -> HttpResponse:
    org = _importable_org(request, pk)
    return xlsx_response(
        roster.build_template(org),
        _("%(org)s党员名册导入模板.xlsx") % {"org": org.name},
        "roster-template.xlsx",
    )
