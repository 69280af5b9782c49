"""Working pages of the opinion box: the queue, an opinion, one POST view per move (publish,
answer privately, reject, turn into a rectification item)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import get_visible_or_404
from core.moves import flash_outcome, post_only_on_visible, valid_or_refuse

from ..forms.notice import ReasonForm
from ..forms.opinion import AnswerForm, PublishForm, RectifyForm
from ..models import Opinion
from ..selectors import opinion as selectors
from ..services import opinion as services

PAGE_SIZE = 20


@login_required
def opinion_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.opinions_for(request.user).order_by("-created_at", "-id")
    status = request.GET.get("status", Opinion.Status.PENDING)
    if status in Opinion.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "publicity/opinion_list.html",
        {"page": page, "status": status, "statuses": Opinion.Status.choices},
    )


@login_required
def opinion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = get_visible_or_404(selectors.opinions_for(request.user), request.user, pk)
    return render(
        request,
        "publicity/opinion_detail.html",
        {
            "opinion": opinion,
            "publish_form": PublishForm(initial={"reply": opinion.public_reply}),
            "answer_form": AnswerForm(),
            "reject_form": ReasonForm(),
            "rectify_form": RectifyForm(initial={"problem": opinion.text[:1000]}),
            "item": opinion.rectification_item,
        },
    )


# --- moves: one POST view each ---------------------------------------------------------------


@post_only_on_visible(Opinion)
def opinion_publish(request: HttpRequest, opinion: Opinion) -> HttpResponse:
    with flash_outcome(request, _("意见已公开")):
        reply = valid_or_refuse(PublishForm(request.POST))["reply"]
        services.opinion_publish(opinion=opinion, by=request.user, reply=reply)
    return redirect(opinion)


@post_only_on_visible(Opinion)
def opinion_answer(request: HttpRequest, opinion: Opinion) -> HttpResponse:
    with flash_outcome(request, _("已记录私下答复")):
        answer = valid_or_refuse(AnswerForm(request.POST))["answer"]
        services.opinion_answer(opinion=opinion, by=request.user, answer=answer)
    return redirect(opinion)


@post_only_on_visible(Opinion)
def opinion_reject(request: HttpRequest, opinion: Opinion) -> HttpResponse:
    with flash_outcome(request, _("已不予公开")):
        reason = valid_or_refuse(ReasonForm(request.POST))["reason"]
        services.opinion_reject(opinion=opinion, by=request.user, reason=reason)
    return redirect(opinion)


@post_only_on_visible(Opinion)
def opinion_to_rectification(request: HttpRequest, opinion: Opinion) -> HttpResponse:
    with flash_outcome(request, _("已纳入整改")):
        content = services.RectificationContent(**valid_or_refuse(RectifyForm(request.POST)))
        services.opinion_to_rectification(opinion=opinion, by=request.user, content=content)
    return redirect(opinion)
