"""一月一记实 in one page: a branch's running pledges for a month, who has recorded and who has
not, and one form that records on many pledges at once."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import once
from core.access import get_visible_or_404, require
from core.errors import TransitionError

from ..forms.monthly_round import RoundForm
from ..models import Organization
from ..rules import organization as organization_rules
from ..selectors import pledge as selectors
from ..services.progress import progress_record_many


def _month(value: str | None) -> tuple[datetime.date, datetime.date]:
    """'2026-03' → (first day, last day shown); a malformed or future month is this month.
    The current month ends today: nothing is recorded ahead."""
    today = timezone.localdate()
    try:
        start = datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        start = today.replace(day=1)
    if start > today or start.year < 2000:
        start = today.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, min(following - datetime.timedelta(days=1), today)


def _managed_org(request: HttpRequest, pk: int) -> Organization:
    org = get_visible_or_404(Organization, request.user, pk)
    require(organization_rules.can_manage_organization(request.user, org))
    return org


def _page(request: HttpRequest, org: Organization, month, form=None) -> HttpResponse:
    start, end = month
    pledges = list(selectors.round_pledges(org, start, end))
    if form is None:
        form = RoundForm(pledges=pledges, month=month, initial={"date": end})
    else:
        form.pledges = pledges
    missing = [p for p in pledges if not p.month_records]
    owners_missing = list(dict.fromkeys(p.owner_name for p in missing))
    previous = (start - datetime.timedelta(days=1)).replace(day=1)
    return render(
        request,
        "pledges/round.html",
        {
            "org": org,
            "form": form,
            "month": start,
            "month_code": f"{start:%Y-%m}",
            "previous": f"{previous:%Y-%m}",
            "recorded_count": len(pledges) - len(missing),
            "missing_count": len(missing),
            "owners_missing": owners_missing,
            "awaiting_publication": selectors.awaiting_publication(org),
            "breadcrumbs": org.breadcrumbs(),
        },
    )


@login_required
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    org = _managed_org(request, pk)
    return _page(request, org, _month(request.GET.get("month")))


@login_required
@require_POST
def round_record(request: HttpRequest, pk: int) -> HttpResponse:
    org = _managed_org(request, pk)
    month = _month(request.POST.get("month"))
    form = RoundForm(request.POST, pledges=selectors.round_pledges(org, *month), month=month)
    done = f"{reverse('pledges:round', args=[org.pk])}?month={month[0]:%Y-%m}"
    if not form.is_valid():
        return _page(request, org, month, form)
    if not once.claim(request):
        messages.info(request, _("这张表已经提交过了，请勿重复提交"))
        return redirect(done)
    try:
        records = progress_record_many(
            org=org,
            by=request.user,
            date=form.cleaned_data["date"],
            texts=form.cleaned_data["texts"],
        )
    except TransitionError as e:
        messages.error(request, str(e))
        return _page(request, org, month, form)
    messages.success(request, _("已保存 %(n)d 项记实") % {"n": len(records)})
    return redirect(done)
