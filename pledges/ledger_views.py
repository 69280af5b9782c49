"""承诺践诺台账 export. The workbook is built in pledges.ledger."""

from __future__ import annotations

import tempfile
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from . import ledger, permissions
from .models import Organization


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def pledge_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    if not permissions.can_view_organization(request.user, org):
        raise Http404
    year = _year(request)
    # Spooled: small ledgers stay in memory, a county's thousands of rows go to a temp file.
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    ledger.write_pledge_ledger(out, user=request.user, org=org, year=year)
    out.seek(0)
    response = FileResponse(
        out,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = ledger.ledger_filename(org, year)
    response["Content-Disposition"] = (
        f"attachment; filename=\"pledge-ledger-{year}.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
