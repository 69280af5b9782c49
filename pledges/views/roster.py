"""Roster import page and its template download. The work is in services.roster."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.access import get_visible_or_404, require
from core.xlsx import xlsx_download

from ..forms.roster import RosterUploadForm
from ..models import Member, Organization
from ..rules.organization import can_import_roster
from ..services.roster import roster_import as import_roster
from ..uploads.roster import shape
from ..uploads.roster.template import write_template


def _importable_org(request: HttpRequest, pk: int) -> Organization:
    org = get_visible_or_404(Organization, request.user, pk)
    require(can_import_roster(request.user, org))
    return org


@login_required
@never_cache  # the result page shows initial passwords once; no copy may be kept
def roster_import(request: HttpRequest, pk: int) -> HttpResponse:
    org = _importable_org(request, pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_roster(org=org, by=request.user, **form.cleaned_data)
    return render(
        request,
        "pledges/roster_import.html",
        {
            "org": org,
            "form": form,
            "result": result,
            "columns": shape.COLUMNS,
            "max_rows": shape.MAX_ROWS,
            "max_logins": shape.MAX_LOGINS,
            "kinds": [label for _v, label in Member.Kind.choices],
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("导入党员名册"),
        },
    )


@login_required
def roster_template(request: HttpRequest, pk: int) -> HttpResponse:
    org = _importable_org(request, pk)
    return xlsx_download(
        lambda out: write_template(out, org=org),
        filename=_("%(org)s党员名册导入模板.xlsx") % {"org": org.name},
        ascii_name="roster-template.xlsx",
    )
