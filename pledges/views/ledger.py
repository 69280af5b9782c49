"""承诺践诺台账 export. The workbook is written by pledges.ledger."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from core.access import get_visible_or_404
from core.dates import parse_year
from core.xlsx import xlsx_download

from .. import ledger
from ..models import Organization


@login_required
def pledge_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, pk)
    year = parse_year(request.GET.get("year"))
    return xlsx_download(
        lambda out: ledger.write_pledge_ledger(out, user=request.user, org=org, year=year),
        filename=ledger.ledger_filename(org, year),
        ascii_name=f"pledge-ledger-{year}.xlsx",
    )
