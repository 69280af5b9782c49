"""Pages of 组织评选: the rounds, opening one, a round's nominations page (with the nominee's
year beside each), nominating, and the moves: withdraw, shortlist, decide."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.access import get_visible_or_404, require
from core.errors import TransitionError
from core.moves import flash_outcome, post_only_on_visible
from core.versions import posted_version
from pledges.models import Organization

from ..forms.selection import NominationForm, RoundForm, round_initial
from ..models import Nomination, SelectionRound
from ..rules import selection as rules
from ..selectors import selection as selectors
from ..services import selection as services

# The nominations page: a city round has ~150 nominations; the year is read for a page only.
NOMINATIONS_PAGE_SIZE = 50


def _posted_ids(request: HttpRequest, name: str = "nomination") -> list[int]:
    return [
        int(v) for v in request.POST.getlist(name) if v.isascii() and v.isdigit() and len(v) <= 12
    ]


def _page_query(data) -> dict[str, str]:
    """The nominations page's filters (unit, status) and page number, valid ones only: read
    from the page's address, and from a move's form to come back to the same page."""
    out = {}
    for key in ("unit", "page"):
        v = data.get(key, "")
        if v.isascii() and v.isdigit() and len(v) <= 12:
            out[key] = v
    if data.get("status") in Nomination.Status.values:
        out["status"] = data["status"]
    return out


def _back(request: HttpRequest, selection: SelectionRound) -> str:
    query = _page_query(request.POST)
    url = selection.get_absolute_url()
    return f"{url}?{urlencode(query)}" if query else url


@login_required
def selection_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reviews/selection/list.html",
        {
            "rounds": selectors.rounds_for(request.user).order_by("-opened_at"),
            "office_orgs": selectors.office_orgs(request.user),
        },
    )


@login_required
def selection_open(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, org_pk)
    require(rules.can_open_selection(request.user, org))
    children = selectors.child_units(org)
    form = RoundForm(request.POST or None, children=children, initial=round_initial(children))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        content = services.RoundContent(
            honour=d["honour"],
            title=d["title"],
            year=d["year"],
            nominations_due=d["nominations_due"],
            quotas=form.quotas(),
        )
        try:
            selection = services.selection_round_open(
                by=request.user, organization=org, content=content
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("评选已发起，已通知各推荐单位"))
            return redirect(selection)
    return render(request, "reviews/selection/open.html", {"org": org, "form": form})


@login_required
def selection_round(request: HttpRequest, pk: int) -> HttpResponse:
    """The nominations page: the quotas, a page of the nominations the user may see (of one
    unit, of one status) with the nominee's year, and the office's short list and decision
    made on that page."""
    selection = get_visible_or_404(
        SelectionRound.objects.select_related("organization"), request.user, pk
    )
    user = request.user
    query = _page_query(request.GET)
    unit_id = int(query["unit"]) if "unit" in query else None
    page = Paginator(
        selectors.round_nominations(selection, user, unit_id, query.get("status", "")),
        NOMINATIONS_PAGE_SIZE,
    ).get_page(query.get("page"))
    nominations = list(page.object_list)
    years = selectors.years_of(selection.year, nominations)
    can_run = rules.can_run_selection(user, selection)
    today = timezone.localdate()
    may_decide = (
        can_run
        and selection.status == SelectionRound.Status.PUBLICISED
        and selection.publicity_ends_on < today
    )
    shortlisting = can_run and selection.status in (
        SelectionRound.Status.OPEN,
        SelectionRound.Status.SHORTLISTED,
    )
    return render(
        request,
        "reviews/selection/round.html",
        {
            "selection": selection,
            "quotas": selectors.quota_rows(selection, user, rules.can_nominate),
            "rows": [(n, years[n.nominee_key]) for n in nominations],
            "page": page,
            "unit_id": unit_id,
            "status": query.get("status", ""),
            "statuses": Nomination.Status.choices,
            "can_run": can_run,
            "is_open": selection.status == SelectionRound.Status.OPEN
            and selection.nominations_due >= today,
            "may_decide": may_decide,
            "shortlisting": shortlisting,
            "choosing": may_decide or shortlisting,
        },
    )


@login_required
def nomination_new(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    selection = get_visible_or_404(
        SelectionRound.objects.select_related("organization"), request.user, pk
    )
    unit = get_visible_or_404(Organization, request.user, unit_pk)
    require(rules.can_nominate(request.user, unit))
    form = NominationForm(request.POST or None, initial={"nominee": request.GET.get("nominee")})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        content = services.NominationContent(
            nominee=d["nominee"], reason=d["reason"], caution_reason=d["caution_reason"]
        )
        try:
            services.nomination_create(
                by=request.user, selection=selection, unit=unit, content=content
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("已推荐"))
            return redirect(selection)
    search = (request.GET.get("q") or "").replace("\x00", "")[:50]
    return render(
        request,
        "reviews/selection/nominate.html",
        {
            "selection": selection,
            "unit": unit,
            "form": form,
            "search": search,
            "candidates": selectors.unit_candidates(selection, unit, search),
        },
    )


@post_only_on_visible(Nomination.objects.select_related("round", "unit"))
def nomination_withdraw(request: HttpRequest, nomination: Nomination) -> HttpResponse:
    with flash_outcome(request, _("推荐已撤回")):
        services.nomination_withdraw(by=request.user, nomination=nomination)
    return redirect(_back(request, nomination.round))


@post_only_on_visible(SelectionRound.objects.select_related("organization"))
def selection_round_shortlist(request: HttpRequest, selection: SelectionRound) -> HttpResponse:
    with flash_outcome(request, _("公示人选已确定，请编制评选表彰公示")):
        services.selection_round_shortlist(
            by=request.user,
            selection=selection,
            nomination_ids=_posted_ids(request),
            version=posted_version(request.POST),
            shown_ids=_posted_ids(request, "shown"),
        )
    return redirect(_back(request, selection))


@post_only_on_visible(SelectionRound.objects.select_related("organization"))
def selection_round_decide(request: HttpRequest, selection: SelectionRound) -> HttpResponse:
    with flash_outcome(request, _("表彰决定已作出，表彰名单已公布")):
        services.selection_round_decide(
            by=request.user,
            selection=selection,
            awarded_ids=_posted_ids(request),
            version=posted_version(request.POST),
            shown_ids=_posted_ids(request, "shown"),
        )
    return redirect(_back(request, selection))
