"""Pages of 一年一总评: the year page (with its form) and the grades sheet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.access import get_visible_or_404, require
from core.dates import parse_year, recent_years
from pledges.models import Organization
from pledges.models.position import roles_of

from ..forms.assessment import AssessmentRowForm
from ..rules import assessment as rules
from ..selectors import assessment as selectors
from ..selectors import selection as selection_selectors
from ..services import assessment as services
from .common import top_orgs, top_position


@login_required
def assessment_home(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    org_id = top_position(request, roles.OVERSIGHT_KINDS + roles.SECRETARY_KINDS)
    require(org_id is not None)
    return redirect("reviews:assessment", org_pk=org_id)


def _assessment_org(request: HttpRequest, pk: int) -> Organization:
    org = get_visible_or_404(Organization, request.user, pk)
    require(rules.can_view_assessment(request.user, org))
    return org


def _can_record(user, row: selectors.YearRow) -> bool:
    return rules.can_record_assessment(user, row.org, member=row.member)


@login_required
def assessment_year(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = _assessment_org(request, org_pk)
    year = parse_year(request.POST.get("year") or request.GET.get("year"))
    rows = selectors.year_rows(org, year)
    # The ★ and the selection agree: a decision stars the awarded; the page names the honour.
    honours = selection_selectors.honours_of(
        year,
        [r.member.pk for r in rows if r.member],
        [r.org.pk for r in rows if not r.member],
    )
    user = request.user
    entries = []
    for row in rows:
        editable = _can_record(user, row) and not (row.assessment and row.assessment.published_at)
        a = row.assessment
        initial = {"grade": a.grade, "exemplary": a.exemplary, "remark": a.remark} if a else {}
        # Each line carries the version of its own grade (0: none), checked line by line.
        initial["version"] = a.edit_version if a else 0
        form = AssessmentRowForm(
            request.POST if request.method == "POST" and editable else None,
            prefix=row.key,
            initial=initial,
        )
        key = f"m:{row.member.pk}" if row.member else f"o:{row.org.pk}"
        entries.append((row, form, editable, honours.get(key, [])))
    if request.method == "POST":
        changes = [
            services.AssessmentChange(row.org, row.member, row.assessment, form.cleaned_data)
            for row, form, editable, _h in entries
            if editable and form.is_valid()
        ]
        invalid = sum(1 for _r, form, editable, _h in entries if editable and not form.is_valid())
        saved, errors = services.assessments_save(by=user, year=year, changes=changes)
        for error in errors:
            messages.error(request, error)
        failed = invalid + len(errors)
        if saved:
            messages.success(request, _("已保存 %(n)d 条总评") % {"n": saved})
        if not failed:
            return redirect(f"{reverse('reviews:assessment', args=[org.pk])}?year={year}")
    return render(
        request,
        "reviews/assessment_year.html",
        {
            "org": org,
            "year": year,
            "years": recent_years(),
            "entries": entries,
            "can_record_any": any(editable for _r, _f, editable, _h in entries),
            "my_orgs": top_orgs(
                request, roles_of(user).OVERSIGHT_KINDS + roles_of(user).SECRETARY_KINDS
            ),
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("%(year)d年度总评") % {"year": year},
        },
    )
