"""导入承诺 page and its template download. The work is in services.pledge_import."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.access import get_visible_or_404, require
from core.dates import parse_year
from core.xlsx import xlsx_download

from ..forms.pledge_import import PledgeUploadForm
from ..models import Organization, Pledge
from ..rules.organization import can_manage_organization
from ..services.pledge_import import pledges_import
from ..uploads.pledge_import import shape
from ..uploads.pledge_import.template import template_title, write_template


def _managed_org(request: HttpRequest, pk: int) -> Organization:
    org = get_visible_or_404(Organization, request.user, pk)
    require(can_manage_organization(request.user, org))
    return org


def _half(raw: str | None) -> int:
    return int(raw) if raw in ("0", "1", "2") else Pledge.Half.WHOLE_YEAR


@login_required
def pledge_import(request: HttpRequest, pk: int) -> HttpResponse:
    org = _managed_org(request, pk)
    year, half = parse_year(request.GET.get("year")), _half(request.GET.get("half"))
    form = PledgeUploadForm(
        request.POST or None, request.FILES or None, initial={"year": year, "half": half}
    )
    result = None
    if request.method == "POST" and form.is_valid():
        result = pledges_import(org=org, by=request.user, **form.cleaned_data)
        year, half = result.year, result.half
    return render(
        request,
        "pledges/pledge_import.html",
        {
            "org": org,
            "form": form,
            "result": result,
            "year": year,
            "half": half,
            "columns": shape.TEMPLATE.columns,
            "max_rows": shape.MAX_ROWS,
            "kinds": [label for _v, label in Pledge.Kind.choices],
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("导入承诺"),
        },
    )


@login_required
def pledge_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    org = _managed_org(request, pk)
    year, half = parse_year(request.GET.get("year")), _half(request.GET.get("half"))
    return xlsx_download(
        lambda out: write_template(out, org=org, year=year, half=half),
        filename=f"{template_title(org, year, half).replace(' ', '')}.xlsx",
        ascii_name=f"pledge-template-{year}.xlsx",
    )
