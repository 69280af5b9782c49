"""Working pages for notices and the opinion box (login). Each move is one POST-only view:
parse, one service call, a message, a redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import get_visible_or_404
from core.errors import TransitionError
from pledges.models import Organization, Pledge
from pledges.roles import roles_of

from . import compose, permissions, selectors, services
from .forms import (
    AnswerForm,
    CorrectionForm,
    NoticeForm,
    PeriodForm,
    PublishForm,
    ReasonForm,
    RectifyForm,
)
from .models import Notice, Opinion

PAGE_SIZE = 20


def _form_error(form) -> str:
    errors = [str(e) for field in form.errors.values() for e in field]
    return errors[0] if errors else _("输入有误")


# --- the working list ----------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = roles_of(user)
    notices = selectors.notices_for(user).order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in Notice.Status.values:
        notices = notices.filter(status=status)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    composable = Organization.objects.filter(
        pk__in=roles.org_ids(roles.SECRETARY_KINDS + roles.OFFICE_KINDS)
    ).order_by("path")
    return render(
        request,
        "publicity/manage_home.html",
        {
            "page": page,
            "status": status,
            "statuses": Notice.Status.choices,
            "orgs": list(composable),
            "pending_opinions": selectors.opinions_for(user)
            .filter(status=Opinion.Status.PENDING)
            .count(),
            "to_approve": selectors.notices_for(user)
            .filter(status=Notice.Status.SUBMITTED)
            .exclude(submitted_by=user)
            .count(),
        },
    )


# --- composing -------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[str, int, int | None]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        return d["kind"], d["year"], d["month"] or None
    return Notice.Kind.PLEDGES, today.year, today.month


def _content(form) -> services.NoticeContent:
    d = form.cleaned_data
    return services.NoticeContent(
        title=d["title"],
        intro=d["intro"],
        starts_on=d["starts_on"],
        ends_on=d["ends_on"],
        sources=d["sources"],
    )


@login_required
def compose_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    if not permissions.can_compose(request.user, org):
        raise PermissionDenied
    kind, year, month = _period(request)
    candidates = compose.candidates(org, kind, year, month)
    form = NoticeForm(
        request.POST or None,
        candidates=candidates,
        initial={"title": compose.default_title(org, kind, year, month)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_create(
                by=request.user,
                organization=org,
                kind=kind,
                year=year,
                month=month,
                content=_content(form),
            )
        except TransitionError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("公示草稿已保存，请核对后提交审核"))
            return redirect(notice)
    return render(
        request,
        "publicity/manage_compose.html",
        {
            "org": org,
            "form": form,
            "period": PeriodForm(initial={"kind": kind, "year": year, "month": month}),
            "kind": kind,
            "candidates": candidates,
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("编制公示"),
        },
    )


def _sources_of(notice: Notice) -> list[str]:
    return list(notice.items.values_list("source", flat=True))


@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(Notice.objects.select_related("organization"), request.user, pk)
    if not permissions.can_compose(request.user, notice.organization):
        raise PermissionDenied
    candidates = compose.candidates(notice.organization, notice.kind, notice.year, notice.month)
    initial = {
        "title": notice.title,
        "intro": notice.intro,
        "starts_on": max(notice.starts_on, timezone.localdate()),
        "ends_on": max(notice.ends_on, timezone.localdate()),
        "sources": _sources_of(notice),
        "version": notice.edit_version,
    }
    form = NoticeForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_update(
                notice=notice,
                by=request.user,
                content=_content(form),
                version=form.cleaned_data["version"],
            )
        except TransitionError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("公示已修改"))
            return redirect(notice)
    return render(
        request,
        "publicity/manage_compose.html",
        {"org": notice.organization, "form": form, "notice": notice, "kind": notice.kind},
    )


@login_required
def notice_correct(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(Notice.objects.select_related("organization"), request.user, pk)
    if not permissions.can_compose(request.user, notice.organization):
        raise PermissionDenied
    candidates = compose.candidates(notice.organization, notice.kind, notice.year, notice.month)
    today = timezone.localdate()
    initial = {
        "title": notice.title,
        "intro": notice.intro,
        "starts_on": today,
        "ends_on": max(notice.ends_on, today),
        "sources": _sources_of(notice),
    }
    form = CorrectionForm(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.notice_correct(
                notice=notice,
                by=request.user,
                note=form.cleaned_data["note"],
                content=_content(form),
            )
        except TransitionError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, _("更正版本已生成，请提交审核"))
            return redirect(new)
    return render(
        request,
        "publicity/manage_compose.html",
        {
            "org": notice.organization,
            "form": form,
            "notice": notice,
            "kind": notice.kind,
            "correcting": True,
        },
    )


@login_required
def notice_manage(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(
        Notice.objects.select_related(
            "organization", "created_by", "submitted_by", "approved_by", "previous"
        ),
        request.user,
        pk,
    )
    user = request.user
    return render(
        request,
        "publicity/manage_notice.html",
        {
            "notice": notice,
            "items": list(notice.items.all()),
            "can_compose": permissions.can_compose(user, notice.organization),
            "can_approve": permissions.can_approve(user, notice),
            "has_next": Notice.objects.filter(previous=notice).first(),
            "breadcrumbs": notice.organization.breadcrumbs(),
            "breadcrumb_tail": notice.title,
        },
    )


@login_required
@require_POST
def notice_submit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(Notice.objects, request.user, pk)
    try:
        services.notice_submit(notice=notice, by=request.user)
        messages.success(request, _("已提交审核"))
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(notice)


@login_required
@require_POST
def notice_approve(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(Notice.objects, request.user, pk)
    try:
        services.notice_approve(notice=notice, by=request.user)
        messages.success(request, _("已批准，公示期开始后即对外公开"))
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(notice)


@login_required
@require_POST
def notice_return(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(Notice.objects, request.user, pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise TransitionError(_form_error(form))
        services.notice_return(notice=notice, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("已退回"))
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(notice)


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(Notice.objects, request.user, pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise TransitionError(_form_error(form))
        services.notice_withdraw(notice=notice, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("公示已撤回"))
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(notice)


@login_required
@require_POST
def notice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_visible_or_404(Notice.objects, request.user, pk)
    try:
        services.notice_delete_draft(notice=notice, by=request.user)
        messages.success(request, _("草稿已删除"))
        return redirect("publicity:manage")
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(notice)


@login_required
@require_POST
def pledge_to_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """亮诺 one click: the pledge goes on the branch's next notice."""
    pledge = get_visible_or_404(Pledge.objects.select_related("owner_org"), request.user, pk)
    try:
        notice = services.notice_add_pledge(pledge=pledge, by=request.user)
    except TransitionError as e:
        messages.error(request, str(e))
        return redirect(pledge)
    messages.success(request, _("已加入“%(title)s”，提交审核后公示") % {"title": notice.title})
    return redirect(notice)


# --- the opinion box -------------------------------------------------------------------------


@login_required
def opinions(request: HttpRequest) -> HttpResponse:
    qs = selectors.opinions_for(request.user).order_by("-created_at", "-id")
    status = request.GET.get("status", Opinion.Status.PENDING)
    if status in Opinion.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publicity/manage_opinions.html",
        {"page": page, "status": status, "statuses": Opinion.Status.choices},
    )


@login_required
def opinion_manage(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = get_visible_or_404(selectors.opinions_for(request.user), request.user, pk)
    return render(
        request,
        "publicity/manage_opinion.html",
        {
            "opinion": opinion,
            "publish_form": PublishForm(initial={"reply": opinion.public_reply}),
            "answer_form": AnswerForm(),
            "reject_form": ReasonForm(),
            "rectify_form": RectifyForm(initial={"problem": opinion.text[:1000]}),
            "item": opinion.rectification_item,
        },
    )


def _opinion_move(request: HttpRequest, pk: int, form_class, move, done: str) -> HttpResponse:
    opinion = get_visible_or_404(Opinion.objects, request.user, pk)
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise TransitionError(_form_error(form))
        move(opinion, form.cleaned_data)
        messages.success(request, done)
    except TransitionError as e:
        messages.error(request, str(e))
    return redirect(opinion)


@login_required
@require_POST
def opinion_publish(request: HttpRequest, pk: int) -> HttpResponse:
    def move(o, d):
        services.opinion_publish(opinion=o, by=request.user, reply=d["reply"])

    return _opinion_move(request, pk, PublishForm, move, _("意见已公开"))


@login_required
@require_POST
def opinion_answer(request: HttpRequest, pk: int) -> HttpResponse:
    def move(o, d):
        services.opinion_answer(opinion=o, by=request.user, answer=d["answer"])

    return _opinion_move(request, pk, AnswerForm, move, _("已记录私下答复"))


@login_required
@require_POST
def opinion_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def move(o, d):
        services.opinion_reject(opinion=o, by=request.user, reason=d["reason"])

    return _opinion_move(request, pk, ReasonForm, move, _("已不予公开"))


@login_required
@require_POST
def opinion_to_rectification(request: HttpRequest, pk: int) -> HttpResponse:
    def move(o, d):
        services.opinion_to_rectification(
            opinion=o, by=request.user, content=services.RectificationContent(**d)
        )

    return _opinion_move(request, pk, RectifyForm, move, _("已纳入整改"))
