"""Pages of the 群众评议.

The evaluator's pages (`evaluate_*`) need no login: the code is the only key, and they write
nothing that could name the evaluator."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.access import get_visible_or_404, require
from core.downloads import attachment_header
from core.errors import TransitionError
from core.links import absolute
from core.moves import flash_outcome, post_only_on_visible
from core.security.addresses import client_address
from core.xlsx import xlsx_download
from pledges.models import Organization
from pledges.models.position import roles_of

from ..forms.mass_evaluation import (
    CodeEntryForm,
    CodesIssueForm,
    EvaluationOpenForm,
    PublicEvaluationForm,
)
from ..ledgers import mass_evaluation as ledgers
from ..models import MIN_RESPONSES, MassEvaluation
from ..rules import mass_evaluation as rules
from ..selectors import mass_evaluation as selectors
from ..services import mass_evaluation as services
from ..services.mass_evaluation import CodeRefused
from .common import code_slips

PAGE_SIZE = 20


SLIPS_PER_PAGE = 48

_evaluations = MassEvaluation.objects.select_related("organization")


def _evaluation(request: HttpRequest, pk: int) -> MassEvaluation:
    return get_visible_or_404(_evaluations, request.user, pk)


@login_required
def mass_evaluation_list(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    require(roles.has_scope)
    qs = selectors.mass_evaluation_list(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Organizations the user may open an evaluation for directly: his own positions.
    own = Organization.objects.filter(pk__in=roles.org_ids(("secretary", "office"))).order_by(
        "path"
    )
    return render(
        request,
        "reviews/mass_evaluation_list.html",
        {
            "page": page,
            "own_orgs": own,
            "min_responses": MIN_RESPONSES,
            # The 群众评议情况统计表 across the branches of each own organization, this year.
            "this_year": timezone.localdate().year,
        },
    )


@login_required
def mass_evaluation_open(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, org_pk)
    require(rules.can_run_mass_evaluation(request.user, org))
    form = EvaluationOpenForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            evaluation = services.mass_evaluation_open(
                by=request.user,
                organization=org,
                year=d["year"],
                half=d["half"],
                ends_on=d["ends_on"],
                members=d["members"],
                title=d["title"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("群众评议已开展，请发放评议码"))
            return redirect(evaluation)
    return render(
        request,
        "reviews/mass_evaluation_open.html",
        {"org": org, "form": form, "breadcrumbs": org.breadcrumbs()},
    )


@login_required
def mass_evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = _evaluation(request, pk)
    results = selectors.mass_evaluation_results(evaluation)
    opinions = Paginator(selectors.opinions(evaluation), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/mass_evaluation_detail.html",
        {
            "mass_evaluation": evaluation,
            "results": results,
            "opinions": opinions,
            "can_run": rules.can_run_mass_evaluation(request.user, evaluation.organization),
            "is_open": evaluation.is_open(),
            "codes_form": CodesIssueForm(),
            "breadcrumbs": evaluation.organization.breadcrumbs(),
            "breadcrumb_tail": evaluation.display_title,
        },
    )


@post_only_on_visible(_evaluations)
def mass_evaluation_codes_issue(request: HttpRequest, evaluation: MassEvaluation) -> HttpResponse:
    form = CodesIssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写 1 至 500 之间的发放数量"))
        return redirect(evaluation)
    try:
        codes = services.mass_evaluation_codes_issue(
            by=request.user, evaluation=evaluation, count=form.cleaned_data["count"]
        )
    except TransitionError as e:
        messages.error(request, str(e))
        return redirect(evaluation)
    messages.success(request, _("已生成 %(n)d 个评议码，可打印评议卡发放") % {"n": len(codes)})
    return redirect(evaluation)


@post_only_on_visible(_evaluations)
def mass_evaluation_close(request: HttpRequest, evaluation: MassEvaluation) -> HttpResponse:
    with flash_outcome(request, _("评议已结束，未使用的评议码已失效")):
        services.mass_evaluation_close(by=request.user, evaluation=evaluation)
    return redirect(evaluation)


@login_required
def mass_evaluation_slips(request: HttpRequest, pk: int) -> HttpResponse:
    """A4 sheets of slips: a QR code of the form's address with the code printed under it."""
    evaluation = _evaluation(request, pk)
    require(rules.can_run_mass_evaluation(request.user, evaluation.organization))
    page = Paginator(selectors.unused_codes(evaluation), SLIPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    entry_url = absolute(reverse("reviews:mass_evaluation_entry"))
    slips = code_slips(page)
    return render(
        request,
        "reviews/mass_evaluation_slips.html",
        {"mass_evaluation": evaluation, "slips": slips, "page": page, "entry_url": entry_url},
    )


@login_required
def mass_evaluation_links(request: HttpRequest, pk: int) -> HttpResponse:
    """The unused codes as links, one per line, to send by SMS or a chat group."""
    evaluation = _evaluation(request, pk)
    require(rules.can_run_mass_evaluation(request.user, evaluation.organization))
    lines = [
        f"{c.code}\t{absolute(c.get_absolute_url())}" for c in selectors.unused_codes(evaluation)
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = attachment_header(f"evaluation-{evaluation.pk}-links.txt")
    return response


@login_required
def mass_evaluation_export(request: HttpRequest, pk: int) -> HttpResponse:
    """群众评议情况统计表 as xlsx."""
    evaluation = _evaluation(request, pk)
    if evaluation.is_open():
        # Results watched while answers arrive could be matched to who just answered.
        messages.info(request, _("评议结束后才能导出统计表"))
        return redirect(evaluation)
    results = selectors.mass_evaluation_results(evaluation)
    return xlsx_download(
        lambda out: ledgers.write_results(out, evaluation=evaluation, results=results),
        filename=f"evaluation-{evaluation.pk}.xlsx",
        ascii_name=f"evaluation-{evaluation.pk}.xlsx",
    )


def _refused(request: HttpRequest, error: CodeRefused) -> HttpResponse:
    status = {"unknown": 404, "used": 410, "expired": 410, "limited": 429}.get(error.reason, 400)
    return render(
        request,
        "reviews/mass_evaluation_refused.html",
        {"message": str(error), "reason": error.reason, "entry_form": CodeEntryForm()},
        status=status,
    )


@never_cache
def mass_evaluation_entry(request: HttpRequest) -> HttpResponse:
    """For those who type the code from the slip instead of scanning it."""
    form = CodeEntryForm(request.GET or None)
    if form.is_valid():
        return redirect(
            "reviews:mass_evaluation_form", code=services.normalize_code(form.cleaned_data["code"])
        )
    return render(request, "reviews/mass_evaluation_entry.html", {"form": form})


@never_cache
def mass_evaluation_form(request: HttpRequest, code: str) -> HttpResponse:
    address = client_address(request)
    try:
        found = services.check_code_from(code, address=address)
    except CodeRefused as e:
        return _refused(request, e)
    evaluation = found.evaluation
    members = list(evaluation.members.order_by("id"))
    form = PublicEvaluationForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.mass_evaluation_submit(
                code=found.code,
                rating=form.cleaned_data["rating"],
                member_ratings=form.member_ratings(),
                opinion=form.cleaned_data["opinion"],
                address=address,
            )
        except CodeRefused as e:
            return _refused(request, e)
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            return redirect("reviews:mass_evaluation_done")
    pledges = selectors.public_pledges(evaluation)
    return render(
        request,
        "reviews/mass_evaluation_form.html",
        {
            "mass_evaluation": evaluation,
            "code": found.code,
            "form": form,
            "pledges": pledges,
        },
    )


def mass_evaluation_done(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/mass_evaluation_done.html")
