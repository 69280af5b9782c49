"""Pages of suggestion letters: the list with candidates, a new letter, a letter, reply, close."""

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
from core.moves import flash_outcome, post_only_on_visible
from core.versions import posted_version
from pledges.models import Member, Organization
from pledges.models.position import roles_of

from ..forms.letter import LetterForm, LetterReplyForm
from ..models import (
    SuggestionLetter,
)
from ..rules import letter as rules
from ..selectors import letter as selectors
from ..services import letter as services
from .common import PAGE_SIZE


@login_required
def letters(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    year = timezone.localdate().year
    candidates = []
    for org in Organization.objects.filter(pk__in=roles.org_ids(roles.SECRETARY_KINDS)):
        candidates.extend((org, m) for m in selectors.letter_candidates(org, year))
    page = Paginator(selectors.letters_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "reviews/letters.html", {"page": page, "candidates": candidates})


@login_required
def letter_new(request: HttpRequest, member_pk: int) -> HttpResponse:
    member = get_visible_or_404(
        Member.objects.select_related("organization"), request.user, member_pk
    )
    require(rules.can_issue_letter(request.user, member))
    form = LetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            letter = services.letter_issue(
                by=request.user,
                member=member,
                reason=d["reason"],
                problems=d["problems"],
                measures=d["measures"],
                deadline=d["deadline"],
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("建议书已发出"))
            return redirect(letter)
    return render(request, "reviews/letter_form.html", {"form": form, "member": member})


@login_required
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letters = SuggestionLetter.objects.select_related(
        "member", "organization", "issued_by", "replied_by", "review"
    )
    letter = get_visible_or_404(letters, request.user, pk)
    return render(
        request,
        "reviews/letter_detail.html",
        {
            "letter": letter,
            "pledges": letter.pledges.all(),
            "can_reply": letter.status != SuggestionLetter.Status.CLOSED
            and rules.can_reply_letter(request.user, letter),
            "can_close": letter.status == SuggestionLetter.Status.REPLIED
            and rules.can_close_letter(request.user, letter),
            "reply_form": LetterReplyForm(initial={"version": letter.edit_version}),
        },
    )


@post_only_on_visible(SuggestionLetter)
def letter_reply(request: HttpRequest, letter: SuggestionLetter) -> HttpResponse:
    with flash_outcome(request, _("回复已提交")):
        services.letter_reply(
            letter=letter,
            by=request.user,
            reply=request.POST.get("text", ""),
            version=posted_version(request.POST),
        )
    return redirect(letter)


@post_only_on_visible(SuggestionLetter)
def letter_close(request: HttpRequest, letter: SuggestionLetter) -> HttpResponse:
    with flash_outcome(request, _("建议书已办结")):
        services.letter_close(letter=letter, by=request.user)
    return redirect(letter)
