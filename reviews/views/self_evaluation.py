"""Pages of 自查自评: the self-evaluations I owe, the form, one self-evaluation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import get_visible_or_404, require
from core.errors import TransitionError

from ..forms.self_evaluation import SelfEvaluationForm
from ..models import (
    SelfEvaluation,
)
from ..rules import self_evaluation as rules
from ..rules.calendar import period_of
from ..selectors import self_evaluation as selectors
from ..services import self_evaluation as services
from .common import quarter_nav, quarter_of, subject_of


@login_required
def my_self_evaluations(request: HttpRequest) -> HttpResponse:
    quarter = quarter_of(request)
    return render(
        request,
        "reviews/my_self_evaluations.html",
        {**quarter_nav(quarter), "rows": selectors.self_evaluations_owed(request.user, quarter)},
    )


@login_required
def self_evaluation_write(request: HttpRequest) -> HttpResponse:
    subject = subject_of(request)
    require(rules.can_write_self_evaluation(request.user, subject))
    quarter = period_of(subject.organization, quarter_of(request))
    existing = selectors.self_evaluation_of(subject, quarter)
    if existing is not None and existing.status == SelfEvaluation.Status.SUBMITTED:
        return redirect(existing)
    facts = selectors.self_evaluation_initial(subject, quarter)
    initial = (
        {n: getattr(existing, n) for n in SelfEvaluationForm.base_fields if n != "version"}
        if existing
        else {"pledge_notes": facts["pledge_notes"]}
    )
    initial["version"] = existing.edit_version if existing else 0
    form = SelfEvaluationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            saved = services.self_evaluation_save(
                by=request.user,
                subject=subject,
                quarter=quarter,
                content=form.content(),
                version=form.cleaned_data["version"],
                submit=submit,
            )
        except TransitionError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("自查自评已报送") if submit else _("草稿已保存"))
            return redirect(saved if submit else "reviews:my_self_evaluations")
    return render(
        request,
        "reviews/self_evaluation_form.html",
        {"form": form, "subject": subject, "quarter": quarter, "facts": facts},
    )


@login_required
def self_evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    self_evaluations = SelfEvaluation.objects.select_related("organization", "member", "author")
    self_evaluation = get_visible_or_404(self_evaluations, request.user, pk)
    return render(
        request, "reviews/self_evaluation_detail.html", {"self_evaluation": self_evaluation}
    )
