"""One pledge: its page, the edit and amendment forms, and one POST view per move."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import require
from core.errors import TransitionError
from core.moves import flash_outcome

from ..forms.pledge import AmendForm, CloseForm, PledgeForm, ReasonForm
from ..forms.progress import ProgressForm
from ..models import Pledge
from ..rules import pledge as rules
from ..selectors.pledge import pledge_page
from ..services import pledge as services
from .shared import pledge_move, visible_pledge


@login_required
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = visible_pledge(request, pk)
    user = request.user
    context = {
        "pledge": pledge,
        "breadcrumbs": pledge.owner_org.breadcrumbs(),
        "can_edit": rules.can_edit_pledge(user, pledge) and pledge.is_editable,
        "can_approve": rules.can_approve_pledge(user, pledge)
        and pledge.status == Pledge.Status.SUBMITTED,
        "can_run": rules.can_run_pledge(user, pledge),
        "can_progress": rules.can_record_progress(user, pledge)
        and pledge.status in Pledge.RUNNING_STATUSES,
        "progress_form": ProgressForm(),
        "close_form": CloseForm(),
        "reason_form": ReasonForm(),
        "carried_into": pledge.carried_into.first(),
        **pledge_page(pledge),
    }
    return render(request, "pledges/pledge_detail.html", context)


def _content_page(request, pledge, *, form_class, title: str, done: str, save) -> HttpResponse:
    """The edit and amendment pages: the same form, a different service behind it."""
    form = form_class(request.POST or None, instance=pledge, initial={"version": pledge.version})
    if request.method == "POST" and form.is_valid():
        try:
            # Reload: the ModelForm wrote the posted values onto `pledge` while validating.
            save(Pledge.objects.get(pk=pledge.pk), form)
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, done)
            return redirect(pledge)
    context = {
        "form": form,
        "pledge": pledge,
        "title": title,
        "breadcrumbs": pledge.owner_org.breadcrumbs(),
    }
    return render(request, "pledges/pledge_form.html", context)


@login_required
def pledge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = visible_pledge(request, pk)
    require(rules.can_edit_pledge(request.user, pledge))
    if not pledge.is_editable:
        messages.warning(request, _("已提交或已审核的承诺不能直接修改；已亮诺的承诺请办理变更"))
        return redirect(pledge)

    def save(fresh: Pledge, form: PledgeForm) -> None:
        services.pledge_update(
            pledge=fresh,
            by=request.user,
            content=form.content(),
            version=form.cleaned_data.get("version"),
        )

    return _content_page(
        request, pledge, form_class=PledgeForm, title=_("修改承诺"), done=_("已保存"), save=save
    )


@login_required
def pledge_amend(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = visible_pledge(request, pk)
    require(rules.can_run_pledge(request.user, pledge))
    if pledge.status not in Pledge.RUNNING_STATUSES:
        messages.warning(request, _("只有已审核、已亮诺或践诺中的承诺可以办理变更"))
        return redirect(pledge)

    def save(fresh: Pledge, form: AmendForm) -> None:
        services.pledge_amend(
            pledge=fresh,
            by=request.user,
            content=form.content(),
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data.get("version"),
        )

    return _content_page(
        request, pledge, form_class=AmendForm, title=_("承诺变更"), done=_("变更已记录"), save=save
    )


# --- moves: one POST view each ------------------------------------------------------------


@pledge_move
def pledge_submit(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    with flash_outcome(request, _("已提交审核")):
        services.pledge_submit(pledge=pledge, by=request.user)
    return redirect(pledge)


@pledge_move
def pledge_approve(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    remark = request.POST.get("remark", "")
    with flash_outcome(request, _("已审核通过并备案")):
        services.pledge_approve(pledge=pledge, by=request.user, remark=remark)
    return redirect(pledge)


@pledge_move
def pledge_return(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    reason = request.POST.get("reason", "")
    with flash_outcome(request, _("已退回")):
        services.pledge_return(pledge=pledge, by=request.user, reason=reason)
    return redirect(pledge)


@pledge_move
def pledge_publish(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    with flash_outcome(request, _("已亮诺")):
        services.pledge_publish(pledge=pledge, by=request.user)
    return redirect(pledge)


@pledge_move
def pledge_close(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写兑现情况和正确的销号日期"))
        return redirect(pledge)
    with flash_outcome(request, _("已销号")):
        services.pledge_close(pledge=pledge, by=request.user, **form.cleaned_data)
    return redirect(pledge)


@pledge_move
def pledge_unfulfilled(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    reason = request.POST.get("reason", "")
    with flash_outcome(request, _("已认定为未兑现")):
        services.pledge_mark_unfulfilled(pledge=pledge, by=request.user, reason=reason)
    return redirect(pledge)


@pledge_move
def pledge_carry_over(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    with flash_outcome(request, _("已生成再承诺草稿，请修改后提交")):
        # The new draft's page, where it is to be edited before submitting.
        return redirect(services.pledge_carry_over(pledge=pledge, by=request.user))
    return redirect(pledge)


@pledge_move
def pledge_delete(request: HttpRequest, pledge: Pledge) -> HttpResponse:
    with flash_outcome(request, _("草稿已删除")):
        services.pledge_delete_draft(pledge=pledge, by=request.user)
        return redirect(pledge.owner_org)
    return redirect(pledge)
