"""Working pages of notices: the list, composing, editing and correcting, one POST view per
move (submit, approve, return, withdraw, delete, a pledge onto the next notice)."""

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
from pledges.models import Organization, Pledge

from ..forms.notice import CorrectionForm, NoticeForm, PeriodForm, ReasonForm
from ..models import Notice
from ..rules import notice as rules
from ..selectors import notice as selectors
from ..services import notice as services

PAGE_SIZE = 20


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    notices = selectors.notices_for(user).order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in Notice.Status.values:
        notices = notices.filter(status=status)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publicity/notice_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Notice.Status.choices,
            "orgs": list(selectors.composable_orgs(user)),
            **selectors.work_counts(user),
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


def _saved(form, save) -> Notice | None:
    """The notice `save()` returns, or None with the refusal shown on the form."""
    try:
        return save()
    except TransitionError as e:
        form.add_error(None, str(e))
        return None


@login_required
def notice_compose(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, pk)
    require(rules.can_compose(request.user, org))
    kind, year, month = _period(request)
    candidates = selectors.candidates(org, kind, year, month)
    form = NoticeForm(
        request.POST or None,
        candidates=candidates,
        initial={"title": selectors.default_title(org, kind, year, month)},
    )
    if request.method == "POST" and form.is_valid():
        notice = _saved(
            form,
            lambda: services.notice_create(
                by=request.user,
                organization=org,
                kind=kind,
                year=year,
                month=month,
                content=_content(form),
            ),
        )
        if notice is not None:
            messages.success(request, _("公示草稿已保存，请核对后提交审核"))
            return redirect(notice)
    return render(
        request,
        "publicity/notice_compose.html",
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


def _composable_notice(request: HttpRequest, pk: int) -> Notice:
    notice = get_visible_or_404(Notice.objects.select_related("organization"), request.user, pk)
    require(rules.can_compose(request.user, notice.organization))
    return notice


def _rewrite_page(request: HttpRequest, notice: Notice, form_class, starts_on, save, done: str):
    """The compose form over an existing notice (edit, or correct a published one): its
    content filled in, starting no earlier than `starts_on`."""
    candidates = selectors.candidates(notice.organization, notice.kind, notice.year, notice.month)
    today = timezone.localdate()
    initial = {
        "title": notice.title,
        "intro": notice.intro,
        "starts_on": starts_on,
        "ends_on": max(notice.ends_on, today),
        "sources": list(notice.items.values_list("source", flat=True)),
        "version": notice.edit_version,
    }
    form = form_class(request.POST or None, candidates=candidates, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _saved(form, lambda: save(form))
        if saved is not None:
            messages.success(request, done)
            return redirect(saved)
    return render(
        request,
        "publicity/notice_compose.html",
        {
            "org": notice.organization,
            "form": form,
            "notice": notice,
            "kind": notice.kind,
            "correcting": form_class is CorrectionForm,
        },
    )


@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _composable_notice(request, pk)

    def save(form) -> Notice:
        services.notice_update(
            notice=notice,
            by=request.user,
            content=_content(form),
            version=form.cleaned_data["version"],
        )
        return notice

    starts_on = max(notice.starts_on, timezone.localdate())
    return _rewrite_page(request, notice, NoticeForm, starts_on, save, _("公示已修改"))


@login_required
def notice_correct(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _composable_notice(request, pk)

    def save(form) -> Notice:
        note = form.cleaned_data["note"]
        return services.notice_correct(
            notice=notice, by=request.user, note=note, content=_content(form)
        )

    today = timezone.localdate()
    return _rewrite_page(
        request, notice, CorrectionForm, today, save, _("更正版本已生成，请提交审核")
    )


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
        "publicity/notice_detail.html",
        {
            "notice": notice,
            "items": list(notice.items.all()),
            "can_compose": rules.can_compose(user, notice.organization),
            "can_approve": rules.can_approve(user, notice),
            "has_next": Notice.objects.filter(previous=notice).first(),
            "breadcrumbs": notice.organization.breadcrumbs(),
            "breadcrumb_tail": notice.title,
        },
    )


# --- moves: one POST view each ---------------------------------------------------------------


@post_only_on_visible(Notice)
def notice_submit(request: HttpRequest, notice: Notice) -> HttpResponse:
    with flash_outcome(request, _("已提交审核")):
        services.notice_submit(notice=notice, by=request.user)
    return redirect(notice)


@post_only_on_visible(Notice)
def notice_approve(request: HttpRequest, notice: Notice) -> HttpResponse:
    with flash_outcome(request, _("已批准，公示期开始后即对外公开")):
        services.notice_approve(notice=notice, by=request.user)
    return redirect(notice)


@post_only_on_visible(Notice)
def notice_return(request: HttpRequest, notice: Notice) -> HttpResponse:
    with flash_outcome(request, _("已退回")):
        reason = valid_or_refuse(ReasonForm(request.POST))["reason"]
        services.notice_return(notice=notice, by=request.user, reason=reason)
    return redirect(notice)


@post_only_on_visible(Notice)
def notice_withdraw(request: HttpRequest, notice: Notice) -> HttpResponse:
    with flash_outcome(request, _("公示已撤回")):
        reason = valid_or_refuse(ReasonForm(request.POST))["reason"]
        services.notice_withdraw(notice=notice, by=request.user, reason=reason)
    return redirect(notice)


@post_only_on_visible(Notice)
def notice_delete_draft(request: HttpRequest, notice: Notice) -> HttpResponse:
    with flash_outcome(request, _("草稿已删除")):
        services.notice_delete_draft(notice=notice, by=request.user)
        return redirect("publicity:notice_list")
    return redirect(notice)


@post_only_on_visible(Pledge.objects.select_related("owner_org"))
def notice_add_pledge(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    """亮诺 one click: the pledge goes on the branch's next notice."""
    try:
        notice = services.notice_add_pledge(pledge=pledge, by=request.user)
    except TransitionError as e:
        messages.error(request, str(e))
        return redirect(pledge)
    messages.success(request, _("已加入“%(title)s”，提交审核后公示") % {"title": notice.title})
    return redirect(notice)
