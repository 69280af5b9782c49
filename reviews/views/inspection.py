"""Pages of inspections (半年一检查): the rounds and notices, opening a round, its pre-filled
checklist page, the checklist, a notice (printable), and one POST view per move."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import get_visible_or_404, require
from core.errors import TransitionError
from core.moves import flash_outcome, post_only_on_visible, valid_or_refuse
from core.redirects import safe_next
from core.versions import posted_version
from pledges.models import Organization
from pledges.models.position import roles_of

from ..forms.inspection import ChecklistForm, NoticeAnswerForm, NoticeForm, RecheckForm, RoundForm
from ..models import InspectionEvidence, InspectionNotice, InspectionRound, InspectionTarget
from ..rules import inspection as rules
from ..selectors import inspection as selectors
from ..services import inspection as services
from .common import PAGE_SIZE


@login_required
def inspections(request: HttpRequest) -> HttpResponse:
    """The rounds the user runs or oversees, and the notices of his branches or subtree."""
    roles = roles_of(request.user)
    offices = list(Organization.objects.filter(pk__in=roles.org_ids(roles.OFFICE_KINDS)))
    rounds = Paginator(selectors.rounds_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    notices = Paginator(selectors.notices_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("npage")
    )
    return render(
        request,
        "reviews/inspection/list.html",
        {
            "offices": offices,
            "rounds": rounds,
            "notices": notices,
            "year": timezone.localdate().year,
        },
    )


@login_required
def inspection_new(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, org_pk)
    require(rules.can_run_inspection(request.user, org))
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection = services.inspection_round_open(
                by=request.user,
                organization=org,
                kind=d["kind"],
                year=d["year"],
                half=d["half"],
                title=d["title"],
                sample_size=d["sample_size"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("检查已发起"))
            return redirect(inspection)
    return render(request, "reviews/inspection/round_form.html", {"form": form, "org": org})


_rounds = InspectionRound.objects.select_related("organization", "closed_by")
# Branches per page of a round: each is a card of its whole checklist, read on a phone too.
ROUND_PAGE_SIZE = 20


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The pre-filled checklist of a page of the round's branches, to confirm one by one."""
    inspection = get_visible_or_404(_rounds, request.user, pk)
    require(rules.can_run_inspection(request.user, inspection.organization))
    page = Paginator(selectors.targets_of(inspection), ROUND_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = selectors.prefill(inspection, list(page.object_list))
    return render(
        request,
        "reviews/inspection/round.html",
        {
            "inspection": inspection,
            "page": page,
            "rows": [(row, row.items(inspection.checklist)) for row in rows],
            "counts": selectors.result_counts(inspection),
        },
    )


@login_required
def inspection_checklist(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_visible_or_404(_rounds, request.user, pk)
    require(rules.can_run_inspection(request.user, inspection.organization))
    if inspection.status != InspectionRound.Status.OPEN:
        # The move would be refused: say so before the form is filled in, not after.
        messages.error(request, _("检查已结束，检查清单不能再修改"))
        return redirect(inspection)
    keys = [item["key"] for item in inspection.checklist]
    initial = {
        "keys": keys,
        "extra": "\n".join(i["label"] for i in inspection.checklist if i["key"].startswith("c")),
        "version": inspection.edit_version,
    }
    form = ChecklistForm(request.POST or None, initial=initial)
    if request.method == "POST":
        with flash_outcome(request, _("检查清单已保存")):
            d = valid_or_refuse(form)
            services.inspection_checklist_edit(
                inspection=inspection,
                by=request.user,
                keys=d["keys"],
                extra=form.extra_lines(),
                version=d["version"],
            )
            return redirect(inspection)
    return render(
        request, "reviews/inspection/checklist.html", {"form": form, "inspection": inspection}
    )


@post_only_on_visible(_rounds)
def inspection_close(request: HttpRequest, inspection: InspectionRound) -> HttpResponse:
    with flash_outcome(request, _("检查已结束：已下达的整改通知书继续整改、复验")):
        services.inspection_round_close(
            inspection=inspection, by=request.user, version=posted_version(request.POST)
        )
    return redirect(inspection)


_targets = InspectionTarget.objects.select_related("round", "round__organization", "organization")


@post_only_on_visible(_targets)
def inspection_target_check(request: HttpRequest, target: InspectionTarget) -> HttpResponse:
    ticked = set(request.POST.getlist("item"))
    with flash_outcome(request, _("%(org)s 的检查结果已记录") % {"org": target.organization.name}):
        services.inspection_target_check(
            target=target,
            by=request.user,
            answers={item["key"]: item["key"] in ticked for item in target.round.checklist},
            remark=request.POST.get("remark", ""),
            version=posted_version(request.POST),
        )
    return redirect(safe_next(request, target.get_absolute_url()))


@login_required
def inspection_notice_new(request: HttpRequest, target_pk: int) -> HttpResponse:
    target = get_visible_or_404(_targets, request.user, target_pk)
    require(rules.can_run_inspection(request.user, target.round.organization))
    if target.round.status != InspectionRound.Status.OPEN:
        messages.error(request, _("检查已结束，不能再下达整改通知书"))
        return redirect(target.round)
    # Pre-filled with the items the inspector did not tick (or the system found unmet).
    (row,) = selectors.prefill(target.round, [target])
    unmet = [
        f"{item['label']}（{item['fact'].text}）" if item["fact"].text else item["label"]
        for item in row.items(target.round.checklist)
        if not item["checked"]
    ]
    problems = "\n".join([*unmet, target.remark] if target.remark else unmet)
    form = NoticeForm(request.POST or None, initial={"problems": problems})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notice = services.inspection_notice_issue(
                target=target,
                by=request.user,
                problems=d["problems"],
                requirements=d["requirements"],
                deadline=d["deadline"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("整改通知书已下达"))
            return redirect(notice)
    return render(request, "reviews/inspection/notice_form.html", {"form": form, "target": target})


_notices = InspectionNotice.objects.select_related(
    "organization", "committee", "issued_by", "answered_by", "rechecked_by", "target__round"
)


@login_required
def inspection_notice(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(_notices, request.user, pk)
    user = request.user
    return render(
        request,
        "reviews/inspection/notice.html",
        {
            "notice": notice,
            "events": notice.events.select_related("actor"),
            "evidence": notice.evidence.all(),
            "can_answer": notice.status in InspectionNotice.PENDING_STATUSES
            and rules.can_answer_inspection_notice(user, notice),
            "can_recheck": notice.status == InspectionNotice.Status.ANSWERED
            and rules.can_recheck_inspection_notice(user, notice),
            "answer_form": NoticeAnswerForm(),
            "recheck_form": RecheckForm(),
        },
    )


@post_only_on_visible(_notices)
def inspection_notice_answer(request: HttpRequest, notice: InspectionNotice) -> HttpResponse:
    form = NoticeAnswerForm(request.POST, request.FILES)
    with flash_outcome(request, _("整改情况已报告，等待复验")):
        d = valid_or_refuse(form)
        services.inspection_notice_answer(
            notice=notice, by=request.user, answer=d["answer"], files=d["files"]
        )
    return redirect(notice)


@post_only_on_visible(_notices)
def inspection_notice_pass(request: HttpRequest, notice: InspectionNotice) -> HttpResponse:
    form = RecheckForm(request.POST)
    with flash_outcome(request, _("复验通过")):
        d = valid_or_refuse(form)
        services.inspection_notice_recheck(
            notice=notice, by=request.user, passed=True, remark=d["remark"]
        )
    return redirect(notice)


@post_only_on_visible(_notices)
def inspection_notice_return(request: HttpRequest, notice: InspectionNotice) -> HttpResponse:
    form = RecheckForm(request.POST)
    with flash_outcome(request, _("复验未通过，已退回支部重新整改")):
        d = valid_or_refuse(form)
        services.inspection_notice_recheck(
            notice=notice,
            by=request.user,
            passed=False,
            remark=d["remark"],
            deadline=d["deadline"],
        )
    return redirect(notice)


@login_required
def inspection_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    return get_visible_or_404(InspectionEvidence, request.user, pk).download()
