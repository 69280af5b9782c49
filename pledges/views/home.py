"""Where people start: the home redirect, an organization's page, a member's own pledges."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.access import get_visible_or_404
from core.dates import parse_year

from ..forms.pledge import BulkForm
from ..forms.progress import ProgressForm
from ..models import Organization, Pledge
from ..models.position import roles_of
from ..roles import Roles
from ..rules import guidance
from ..rules.calendar import can_set_calendar
from ..rules.organization import can_manage_organization
from ..selectors.organization import (
    members_with_pledges,
    members_without_pledges,
    organization_pledges,
    overdue_count,
    subtree_counts,
)
from ..selectors.pledge import awaiting_approval_below, member_pledges, overdue_pledges

PAGE_SIZE = 20
OVERDUE_SHOWN = 20


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each person to the page they work on."""
    roles = roles_of(request.user)
    if roles.is_leader and not (roles.is_office or roles.is_secretary):
        # 谁联系、谁点评: a leader's work starts from the reviews he owes this quarter.
        return redirect("reviews:my_reviews")
    # The highest organization the user looks after is the natural start.
    top = roles.top_position(roles.OVERSIGHT_KINDS) or roles.top_position()
    if top is not None:
        return redirect("pledges:organization", pk=top.org_id)
    if roles.member is not None:
        return redirect("pledges:my_pledges")
    if request.user.is_superuser:
        root = Organization.objects.get_first_root_node()
        if root is not None:
            return redirect("pledges:organization", pk=root.pk)
    return render(request, "pledges/no_role.html")


@login_required
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, pk)
    user, year = request.user, parse_year(request.GET.get("year"))
    can_manage = can_manage_organization(user, org)
    counts, children = subtree_counts(user, org, year)
    children_page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("cpage"))
    members_page = Paginator(members_with_pledges(user, org, year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    member_rows = [
        (m, guidance.guidance_for_member(m, m.year_pledges) if can_manage else [])
        for m in members_page
    ]
    org_pledges = list(organization_pledges(user, org, year))
    awaiting = list(awaiting_approval_below(user, org)[:50])
    missing = members_without_pledges(org, year)
    overdue = list(overdue_pledges(user, org)[:OVERDUE_SHOWN])
    context = {
        "org": org,
        "year": year,
        "years": range(timezone.localdate().year + 1, timezone.localdate().year - 4, -1),
        "breadcrumbs": org.breadcrumbs(),
        "can_manage": can_manage,
        "can_set_calendar": can_set_calendar(user, org),
        # The bulk bar is for those who keep or approve the book, not for members reading it.
        "can_bulk": can_manage or roles_of(user).covers(org, Roles.OVERSIGHT_KINDS),
        "awaiting": awaiting,
        "today": timezone.localdate(),
        "counts": counts,
        "children_page": children_page,
        "members_page": members_page,
        "member_rows": member_rows,
        "org_pledges": org_pledges,
        "org_guidance": guidance.guidance_for_organization(org_pledges)
        if can_manage and org.is_branch_level
        else [],
        "missing_count": missing.count(),
        "missing": missing[:50],
        "overdue": overdue,
        "overdue_count": overdue_count(user, org, shown=len(overdue), limit=OVERDUE_SHOWN),
        "bulk_form": BulkForm(),
        "statuses": Pledge.Status.choices,
    }
    return render(request, "pledges/organization.html", context)


@login_required
def my_pledges(request: HttpRequest) -> HttpResponse:
    member = roles_of(request.user).member
    if member is None:
        return render(request, "pledges/no_role.html")
    pledges = list(member_pledges(member))
    this_year = [p for p in pledges if p.year == timezone.localdate().year]
    return render(
        request,
        "pledges/my_pledges.html",
        {
            "member": member,
            "pledges": pledges,
            "guidance": guidance.guidance_for_member(member, this_year),
            "progress_form": ProgressForm(),
            "breadcrumbs": member.organization.breadcrumbs(),
            "can_enter": True,
        },
    )
