"""Pages of 每月评比: a branch's month (one load, one submit for all its members), its
publication, and a committee's criteria with its branches' state for the month."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import get_visible_or_404, require
from core.errors import TransitionError
from core.moves import flash_outcome, post_only_on_visible, valid_or_refuse
from pledges.models import Organization
from pledges.models.position import roles_of

from ..forms.monthly_rating import MonthlyRatingRowForm, RatingCriteriaForm
from ..models import MonthlyRatingSheet
from ..rules import monthly_rating as rules
from ..selectors import monthly_rating as selectors
from ..selectors.dashboard import children_of
from ..services import monthly_rating as services
from .common import top_position


@login_required
def monthly_rating_home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    org_id = top_position(request, roles.SECRETARY_KINDS + roles.OFFICE_KINDS)
    require(org_id is not None)
    return redirect("reviews:monthly_rating", org_pk=org_id)


def _page_url(org: Organization, year: int, month: int) -> str:
    return f"{reverse('reviews:monthly_rating', args=[org.pk])}?month={year}-{month:02d}"


@login_required
def monthly_rating(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, org_pk)
    require(rules.can_view_monthly_rating(request.user, org))
    year, month = selectors.parse_month(request.POST.get("month") or request.GET.get("month"))
    if not org.is_branch_level:
        return _committee_page(request, org, year, month)
    page = selectors.month_page(org, year, month)
    can_rate = rules.can_rate_members(request.user, org)
    # A save by one who may only read is refused (403), not silently ignored; on a published
    # month the service says why nothing changes.
    require(request.method != "POST" or can_rate)
    editable = can_rate and not (page.sheet and page.sheet.published_at)
    posted = request.POST if request.method == "POST" else None
    entries = []
    for row in page.rows:
        r = row.rating
        initial = {"remark": r.remark, "version": r.edit_version} if r else {"version": 0}
        for i, grade in enumerate(r.grades if r else []):
            initial[f"g{i}"] = grade
        form = MonthlyRatingRowForm(
            posted, prefix=f"m{row.member.pk}", initial=initial, criteria=page.criteria
        )
        entries.append((row, form))
    if posted is not None:
        changes = [
            services.RatingChange(row.member, row.rating, form.cleaned_data)
            for row, form in entries
            if form.is_valid()
        ]
        invalid = sum(1 for _r, form in entries if not form.is_valid())
        try:
            saved, errors = services.monthly_ratings_save(
                by=request.user, organization=org, year=year, month=month, changes=changes
            )
        except TransitionError as e:
            saved, errors = 0, [str(e)]
        for error in errors:
            messages.error(request, error)
        if saved:
            messages.success(request, _("已保存 %(n)d 名党员的评比") % {"n": saved})
        if not invalid + len(errors):
            return redirect(_page_url(org, year, month))
    prev_year, prev_month = selectors.previous_month(year, month)
    return render(
        request,
        "reviews/monthly_rating.html",
        {
            "org": org,
            "page": page,
            "entries": entries,
            "editable": editable,
            "month_code": f"{year}-{month:02d}",
            "previous": f"{prev_year}-{prev_month:02d}",
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("%(y)d年%(m)d月评比") % {"y": year, "m": month},
        },
    )


def _committee_page(request: HttpRequest, org: Organization, year: int, month: int):
    """A committee: its criteria (its office edits them) and each branch's state this month."""
    kids = [k for k in children_of(org) if k.is_branch_level]
    sheets = {
        s.organization_id: s
        for s in MonthlyRatingSheet.objects.filter(organization__in=kids, year=year, month=month)
    }
    own = selectors.own_criteria(org)
    prev_year, prev_month = selectors.previous_month(year, month)
    return render(
        request,
        "reviews/monthly_rating_committee.html",
        {
            "org": org,
            "year": year,
            "month": month,
            "month_code": f"{year}-{month:02d}",
            "previous": f"{prev_year}-{prev_month:02d}",
            "branches": [(k, sheets.get(k.pk)) for k in kids],
            "criteria": selectors.criteria_for(org),
            "own_criteria": own,
            "can_set": rules.can_set_rating_criteria(request.user, org),
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("%(y)d年%(m)d月评比") % {"y": year, "m": month},
        },
    )


@post_only_on_visible(MonthlyRatingSheet.objects.select_related("organization"))
def monthly_rating_publish(request: HttpRequest, sheet: MonthlyRatingSheet) -> HttpResponse:
    with flash_outcome(request, _("评比结果已公布，可在本支部公开页面查看")):
        services.monthly_rating_sheet_publish(by=request.user, sheet=sheet)
    return redirect(sheet)


@login_required
@require_POST
def monthly_rating_criteria(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, org_pk)
    with flash_outcome(request, _("评比内容已保存")):
        data = valid_or_refuse(RatingCriteriaForm(request.POST))
        services.rating_criteria_set(
            by=request.user, organization=org, names=data["names"], version=data["version"]
        )
    return redirect("reviews:monthly_rating", org_pk=org.pk)
