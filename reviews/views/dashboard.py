"""The 全覆盖 dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import get_visible_or_404, require
from pledges.models import Organization
from pledges.models.position import roles_of

from ..charts.dashboard import trend_chart
from ..models import (
    Quarter,
)
from ..rules import dashboard as rules
from ..selectors import dashboard as selectors
from .common import top_orgs, top_position


@login_required
def dashboard_home(request: HttpRequest) -> HttpResponse:
    org_id = top_position(request, roles_of(request.user).OVERSIGHT_KINDS)
    require(org_id is not None)
    return redirect("reviews:dashboard", org_pk=org_id)


@login_required
def dashboard_view(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, org_pk)
    require(rules.can_view_dashboard(request.user, org))
    quarter = Quarter.parse(request.GET.get("quarter"))
    data = selectors.dashboard(org, quarter)
    this_year = timezone.localdate().year
    quarters = [Quarter(y, q) for y in range(this_year, this_year - 3, -1) for q in (4, 3, 2, 1)]
    breadcrumbs = org.breadcrumbs()
    # Drill back up: the parent's dashboard, when the user may see it.
    parent = breadcrumbs[-2] if len(breadcrumbs) > 1 else None
    if parent is not None and not rules.can_view_dashboard(request.user, parent):
        parent = None
    return render(
        request,
        "reviews/dashboard.html",
        {
            "org": org,
            "parent": parent,
            "d": data,
            "quarter": quarter,
            "quarters": quarters,
            "trend_chart": trend_chart(data),
            "my_orgs": top_orgs(request, roles_of(request.user).OVERSIGHT_KINDS),
            "missing_limit": selectors.MISSING_LIMIT,
            "breadcrumbs": breadcrumbs,
            "breadcrumb_tail": _("全覆盖统计"),
        },
    )
