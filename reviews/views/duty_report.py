"""Pages of 述职: the subject's year (the report, pre-filled, and each audience's 测评), and one
POST view per move: save, submit, record a tally."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.access import get_visible_or_404, require
from core.dates import parse_year
from core.errors import TransitionError
from core.moves import flash_outcome, post_only_on_visible, valid_or_refuse
from core.security.addresses import client_address
from pledges.models import Member, Organization
from pledges.models.position import roles_of

from ..forms.duty_report import (
    DutyReportCodesForm,
    DutyReportForm,
    DutyReportTallyForm,
    DutyReportVoteForm,
)
from ..models import DutyReport, DutyReportTally
from ..rules import duty_report as rules
from ..selectors import duty_report as selectors
from ..services import duty_report as services
from ..services.mass_evaluation import CodeRefused
from .common import code_slips, top_position

SLIPS_PER_PAGE = 48


@login_required
def duty_report_home(request: HttpRequest) -> HttpResponse:
    """A secretary's own report; an office's or leader's subtree on the assessment page, where
    every subject's 述职 and 测评 stand beside the rest; a member's his."""
    roles = roles_of(request.user)
    org_id = top_position(request, roles.SECRETARY_KINDS)
    if org_id is not None:
        return redirect("reviews:duty_report", org_pk=org_id)
    org_id = top_position(request, roles.OVERSIGHT_KINDS)
    if org_id is not None:
        return redirect("reviews:assessment", org_pk=org_id)
    require(roles.member is not None)
    url = reverse("reviews:duty_report", args=[roles.member.organization_id])
    return redirect(f"{url}?member={roles.member.pk}")


def _subject(request: HttpRequest, org_pk: int) -> tuple[Organization, Member | None]:
    """The organization (its secretary's report) or, with ?member=, one of its members."""
    org = get_visible_or_404(Organization, request.user, org_pk)
    raw = request.GET.get("member") or request.POST.get("member") or ""
    if not raw:
        return org, None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise Http404
    member = get_visible_or_404(Member.objects.filter(organization=org), request.user, int(raw))
    return org, member


@login_required
@require_GET
def duty_report(request: HttpRequest, org_pk: int) -> HttpResponse:
    org, member = _subject(request, org_pk)
    year = parse_year(request.GET.get("year"))
    user = request.user
    report = selectors.report_of(org, member, year)
    require(
        report is not None
        or rules.can_write_duty_report(user, org, member)
        or rules.can_view_duty_reports(user, org)
    )
    can_write = rules.can_write_duty_report(user, org, member)
    draft = report is None or report.status == DutyReport.Status.DRAFT
    form = None
    if can_write and draft:
        text = report.text if report else selectors.draft_text(org, member, year)
        form = DutyReportForm(
            initial={"text": text, "version": report.edit_version if report else 0}
        )
    tallies, codes = [], []
    if report is not None and report.status == DutyReport.Status.SUBMITTED:
        existing = {t.audience: t for t in report.tallies.all()}
        editable = rules.can_tally_duty_report(user, report)
        if editable:
            codes = list(selectors.unused_codes(report))
        for audience, label in DutyReportTally.Audience.choices:
            t = existing.get(audience)
            initial = {"audience": audience, "held_on": timezone.localdate(), "version": 0}
            if t is not None:
                initial.update(
                    held_on=t.held_on,
                    good=t.good,
                    fairly_good=t.fairly_good,
                    average=t.average,
                    poor=t.poor,
                    version=t.edit_version,
                )
            tally_form = (
                DutyReportTallyForm(initial=initial, auto_id=f"{audience}_%s") if editable else None
            )
            tallies.append((label, t, tally_form))
    return render(
        request,
        "reviews/duty_report.html",
        {
            "org": org,
            "member": member,
            "year": year,
            "report": report,
            "form": form,
            "can_submit": can_write and report is not None and draft,
            "tallies": tallies,
            "codes": codes,
            "codes_form": DutyReportCodesForm(initial={"count": 30}),
            "member_reports": (
                selectors.member_reports(org, year)
                if member is None and rules.can_view_duty_reports(user, org)
                else None
            ),
            "subject_name": member.name if member else _("%(org)s书记") % {"org": org.name},
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("%(year)d年度述职") % {"year": year},
        },
    )


def _report_url(org: Organization, member: Member | None, year: int) -> str:
    query = f"year={year}" + (f"&member={member.pk}" if member else "")
    return f"{reverse('reviews:duty_report', args=[org.pk])}?{query}"


@login_required
@require_POST
def duty_report_save(request: HttpRequest, org_pk: int) -> HttpResponse:
    org, member = _subject(request, org_pk)
    year = parse_year(request.POST.get("year"))
    with flash_outcome(request, _("述职报告已保存")):
        data = valid_or_refuse(DutyReportForm(request.POST))
        services.duty_report_save(
            by=request.user,
            organization=org,
            member=member,
            year=year,
            text=data["text"],
            version=data["version"],
        )
    return redirect(_report_url(org, member, year))


REPORTS = DutyReport.objects.select_related("organization", "member")


@post_only_on_visible(REPORTS)
def duty_report_submit(request: HttpRequest, report: DutyReport) -> HttpResponse:
    with flash_outcome(request, _("述职报告已提交，等待测评")):
        services.duty_report_submit(by=request.user, report=report)
    return redirect(report)


@post_only_on_visible(REPORTS)
def duty_report_tally(request: HttpRequest, report: DutyReport) -> HttpResponse:
    with flash_outcome(request, _("测评结果已保存")):
        data = valid_or_refuse(DutyReportTallyForm(request.POST))
        form_data = {k: data[k] for k in ("good", "fairly_good", "average", "poor")}
        services.duty_report_tally_record(
            by=request.user,
            report=report,
            audience=data["audience"],
            held_on=data["held_on"],
            counts=form_data,
            version=data["version"],
        )
    return redirect(report)


@post_only_on_visible(REPORTS)
def duty_report_codes_issue(request: HttpRequest, report: DutyReport) -> HttpResponse:
    with flash_outcome(request, _("测评码已生成，请打印后发给到会人员")):
        data = valid_or_refuse(DutyReportCodesForm(request.POST))
        services.duty_report_codes_issue(
            by=request.user, report=report, audience=data["audience"], count=data["count"]
        )
    return redirect(report)


@login_required
@require_GET
def duty_report_slips(request: HttpRequest, pk: int) -> HttpResponse:
    """A4 sheets of 测评 slips for those present, one audience or both (?audience=): the same
    slips as the 群众评议's, for whoever may issue the codes."""
    report = get_visible_or_404(REPORTS, request.user, pk)
    require(rules.can_tally_duty_report(request.user, report))
    audience = request.GET.get("audience") or ""
    page = Paginator(selectors.unused_codes(report, audience), SLIPS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "reviews/duty_report_slips.html",
        {
            "report": report,
            "slips": code_slips(page),
            "page": page,
            "audience": audience,
            "audiences": DutyReportTally.Audience.choices,
        },
    )


def _refused(request: HttpRequest, error: CodeRefused) -> HttpResponse:
    status = {"unknown": 404, "used": 410, "limited": 429}.get(error.reason, 400)
    return render(request, "reviews/duty_report_vote.html", {"refused": str(error)}, status=status)


@never_cache
def duty_report_vote(request: HttpRequest, code: str) -> HttpResponse:
    """A person present grades the report with his code, without logging in."""
    address = client_address(request)
    try:
        found = services.check_vote_code_from(code, address=address)
    except CodeRefused as e:
        return _refused(request, e)
    form = DutyReportVoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.duty_report_vote(
                code=found.code, grade=form.cleaned_data["grade"], address=address
            )
        except CodeRefused as e:
            return _refused(request, e)
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            return redirect("reviews:duty_report_vote_done")
    return render(
        request,
        "reviews/duty_report_vote.html",
        {"code": found, "report": found.report, "form": form},
    )


def duty_report_vote_done(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/duty_report_vote.html", {"done": True})
