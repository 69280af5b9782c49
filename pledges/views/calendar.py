"""The office's page for its committee's calendar of a year, and its two moves: set it, or drop
it to follow the one above again."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.access import get_visible_or_404, require
from core.dates import FIRST_YEAR, LAST_YEAR
from core.moves import flash_outcome, post_only_on_visible, valid_or_refuse
from core.versions import posted_version

from ..forms.calendar import CalendarForm
from ..models import Calendar, Organization
from ..rules.calendar import can_set_calendar
from ..selectors import calendar as selectors
from ..services.calendar import calendar_drop as drop_calendar
from ..services.calendar import calendar_set as set_calendar


def _year(raw: str | None) -> int:
    year = int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) == 4 else 0
    return year if FIRST_YEAR <= year <= LAST_YEAR else timezone.localdate().year


@login_required
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, pk)
    require(can_set_calendar(request.user, org))
    year = _year(request.GET.get("year"))
    current = selectors.calendar_for(org, year)
    own = selectors.own_calendar(org, year)
    initial = {name: getattr(current, name) for name in Calendar.FIELDS}
    form = CalendarForm(initial={**initial, "version": own.edit_version if own else 0})
    return render(
        request,
        "pledges/calendar.html",
        {
            "org": org,
            "year": year,
            "years": [year - 1, year, year + 1],
            "current": current,
            "own": own,
            "inherited": selectors.inherited_calendar(org, year) if own else None,
            "form": form,
            "below": selectors.own_calendars_below(org, year),
            "breadcrumbs": org.breadcrumbs(),
            "breadcrumb_tail": _("工作日历"),
        },
    )


@post_only_on_visible(Organization)
def calendar_set(request: HttpRequest, org: Organization) -> HttpResponse:
    year = _year(request.POST.get("year"))
    with flash_outcome(request, _("工作日历已保存：下级党组织未自行设置的，随之执行")):
        form = CalendarForm(request.POST)
        valid_or_refuse(form)
        set_calendar(
            organization=org,
            year=year,
            content=form.content(),
            version=posted_version(request.POST),
            by=request.user,
        )
    return redirect(reverse("pledges:calendar", args=[org.pk]) + f"?year={year}")


@post_only_on_visible(Organization)
def calendar_drop(request: HttpRequest, org: Organization) -> HttpResponse:
    year = _year(request.POST.get("year"))
    with flash_outcome(request, _("已恢复沿用上级设置：本党委及未自行设置的下级党组织随之执行")):
        drop_calendar(
            organization=org, year=year, version=posted_version(request.POST), by=request.user
        )
    return redirect(reverse("pledges:calendar", args=[org.pk]) + f"?year={year}")
