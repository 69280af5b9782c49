"""Pages of 备案: a branch's filing of a half-year (file, file again, the package), the
committee's status page (who filed), and the office's moves (receive, return)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.access import get_visible_or_404, require
from core.downloads import protected_file_response
from core.errors import TransitionError
from core.moves import flash_outcome, post_only_on_visible
from core.periods import Period
from pledges.models import Organization
from pledges.models.position import roles_of

from ..models import Filing
from ..rules import filing as rules
from ..selectors import filing as selectors
from ..services import filing as services
from .common import PAGE_SIZE, top_orgs, top_position


def _period(raw: str | None) -> Period:
    """The half-year asked for ("2026H1"), else the one due next or last."""
    try:
        return Period.parse(raw, ("half",))
    except TransitionError:
        return rules.latest_period()


def _recent_periods(period: Period, count: int = 6) -> list[Period]:
    latest = rules.latest_period()
    found, year, half = [], latest.year, latest.half
    for _i in range(count):
        found.append(Period(year, half=half))
        year, half = (year, 1) if half == 2 else (year - 1, 2)
    return found if period in found else [period, *found]


@login_required
def filing_home(request: HttpRequest) -> HttpResponse:
    """The office and leaders to their subtree's status page, a branch secretary to his
    branch's, a committee's secretary to his committee's status page."""
    roles = roles_of(request.user)
    org_id = top_position(request, roles.OVERSIGHT_KINDS)
    if org_id is not None:
        return redirect("reviews:filing_status", org_pk=org_id)
    branches = Organization.objects.filter(
        pk__in=roles.org_ids(roles.SECRETARY_KINDS), level=Organization.Level.BRANCH
    )
    branch = branches.order_by("path").first()
    if branch is not None:
        return redirect("reviews:filing", org_pk=branch.pk)
    org_id = top_position(request, roles.SECRETARY_KINDS)
    require(org_id is not None)
    return redirect("reviews:filing_status", org_pk=org_id)


@login_required
def filing_status(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, org_pk)
    require(rules.can_view_filing_status(request.user, org))
    period = _period(request.GET.get("period"))
    status = request.GET.get("status", "")
    status = status if status in selectors.STATUS_FILTERS else ""
    page = Paginator(selectors.status_rows(org, period, status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    roles = roles_of(request.user)
    return render(
        request,
        "reviews/filing_status.html",
        {
            "org": org,
            "period": period,
            "periods": _recent_periods(period),
            "due": rules.filing_due(org, period.year, period.half),
            "status": status,
            # Unfiltered, the page has counted the branches already.
            "counts": selectors.filing_counts(
                org, period, None if status else page.paginator.count
            ),
            "page": page,
            "rows": selectors.status_page_rows(list(page), period),
            "my_orgs": top_orgs(request, roles.OVERSIGHT_KINDS),
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("备案情况"),
        },
    )


@login_required
def filing_branch(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, org_pk)
    user = request.user
    may_file = rules.can_file(user, org)
    require(may_file or rules.can_view_filing_status(user, org))
    period = _period(request.GET.get("period"))
    filing = selectors.branch_filing(org, period)
    job = filing.package_job if filing else None
    return render(
        request,
        "reviews/filing.html",
        {
            "org": org,
            "period": period,
            "periods": _recent_periods(period),
            "due": rules.filing_due(org, period.year, period.half),
            "opens": rules.filing_opens(period.year, period.half),
            "is_open": rules.is_open_for_filing(period),
            "filing": filing,
            "events": list(filing.events.select_related("by")) if filing else [],
            "contents": selectors.package_contents(org, period),
            "may_file": may_file,
            "may_decide": filing is not None and rules.can_decide_filing(user, filing),
            "job": job,
            "my_job": job is not None and job.requester_id == user.pk,
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("%(period)s备案") % {"period": period.label},
        },
    )


@post_only_on_visible(Organization)
def filing_submit(request: HttpRequest, org: Organization) -> HttpResponse:
    period = _period(request.POST.get("period"))
    with flash_outcome(request, _("已报送备案，备案材料正在后台生成")):
        services.filing_submit(organization=org, period=period, by=request.user)
    return redirect(f"{reverse('reviews:filing', args=[org.pk])}?period={period.code}")


@post_only_on_visible(Filing)
def filing_rebuild(request: HttpRequest, filing: Filing) -> HttpResponse:
    with flash_outcome(request, _("备案材料正在重新生成")):
        services.filing_package_rebuild(filing=filing, by=request.user)
    return redirect(filing)


@post_only_on_visible(Filing)
def filing_receive(request: HttpRequest, filing: Filing) -> HttpResponse:
    with flash_outcome(request, _("已接收备案")):
        services.filing_receive(filing=filing, by=request.user)
    return redirect(filing)


@post_only_on_visible(Filing)
def filing_return(request: HttpRequest, filing: Filing) -> HttpResponse:
    with flash_outcome(request, _("备案已退回")):
        services.filing_return(filing=filing, by=request.user, reason=request.POST.get("reason"))
    return redirect(filing)


@login_required
def filing_package(request: HttpRequest, pk: int) -> HttpResponse:
    filing = get_visible_or_404(Filing.objects.select_related("organization"), request.user, pk)
    if not filing.package:
        raise Http404
    return protected_file_response(
        filing.package, filename=filing.package_name, content_type="application/zip"
    )
