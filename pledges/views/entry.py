"""The entry page (all of one owner's items for a period at once) and bulk moves on a list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import once
from core.access import get_visible_or_404, require
from core.dates import parse_year
from core.errors import TransitionError
from core.redirects import safe_next

from ..forms.entry import EntryFormSet, PeriodForm, entry_rows
from ..forms.pledge import BulkForm
from ..models import Member, Organization, Pledge
from ..rules.organization import can_manage_organization
from ..rules.pledge import can_edit_pledge
from ..selectors.calendar import calendar_for
from ..selectors.pledge import bulk_targets, editable_pledges, ended_member_pledges
from ..services.entry import EntrySaved, entry_save
from ..services.pledge import pledges_bulk
from .shared import first_errors


def _entry_initial(pledges: list[Pledge], member: Member | None) -> list[dict]:
    """Existing editable items first, then blank rows up to the sources' suggested count."""
    rows = [
        {
            "pledge_id": p.pk,
            "version": p.edit_version,
            **{name: getattr(p, name) for name in Pledge.CONTENT_FIELDS},
        }
        for p in pledges
    ]
    if member is not None:
        wanted = [Pledge.Kind.PRACTICAL, Pledge.Kind.PRACTICAL, Pledge.Kind.SERVICE]
        wanted += [Pledge.Kind.FAULT, Pledge.Kind.FAULT]
    else:
        wanted = [Pledge.Kind.SERVICE] * 2 + [Pledge.Kind.PRACTICAL] * 3
    for kind in wanted[len(rows) :] or [Pledge.Kind.PRACTICAL]:
        rows.append({"kind": kind})
    return rows


def _entry_done_url(request: HttpRequest, org: Organization, year: int) -> str:
    """A member goes back to his own pledges; whoever keeps the book, to the branch page."""
    if not can_manage_organization(request.user, org):
        return reverse("pledges:my_pledges")
    return f"{reverse('pledges:organization', args=[org.pk])}?year={year}"


def _saved_message(saved: EntrySaved, submit: bool, period: dict) -> str:
    """Say what was saved and in which period: the page's 年度 and 期间 apply to every row."""
    label = Pledge(year=period["year"], half=period["half"]).period_label
    values = {"n": saved.count, "period": label, "moved": saved.moved}
    if submit:
        msg = _("已保存并提交 %(period)s的 %(n)d 项承诺") % values
    else:
        msg = _("已保存 %(period)s的 %(n)d 项承诺草稿") % values
    if saved.moved:
        msg += _("（其中 %(moved)d 项原属其他年度或期间，已改为%(period)s）") % values
    return msg


def _save(request: HttpRequest, org, member, period: PeriodForm, formset) -> HttpResponse | None:
    """Save a valid entry post; the redirect, or None to show the page again with the error."""
    submit = "submit" in request.POST
    done_url = _entry_done_url(request, org, period.cleaned_data["year"])
    if not once.claim(request):
        messages.info(request, _("这张表已经提交过了，请勿重复提交"))
        return redirect(done_url)
    try:
        saved = entry_save(
            by=request.user,
            org=org,
            member=member,
            rows=entry_rows(formset),
            submit=submit,
            **period.cleaned_data,
        )
    except TransitionError as e:
        messages.error(request, str(e))
        return None
    if saved.count:
        messages.success(request, _saved_message(saved, submit, period.cleaned_data))
    else:
        messages.warning(request, _("没有填写任何承诺事项"))
    return redirect(done_url)


@login_required
def entry(request: HttpRequest, pk: int, member_pk: int | None = None) -> HttpResponse:
    """Enter all of one member's (or the organization's) items for a period on one page."""
    org = get_visible_or_404(Organization, request.user, pk)
    members = Member.objects.filter(organization=org)
    member = get_visible_or_404(members, request.user, member_pk) if member_pk else None
    require(can_edit_pledge(request.user, Pledge(owner_org=org, owner_member=member)))
    year = parse_year(request.GET.get("year"))
    # 半年一诺 where the committee set it: the period starts on the current half.
    today = timezone.localdate()
    half = Pledge.Half.WHOLE_YEAR
    if calendar_for(org, year).half_yearly_pledges:
        half = Pledge.Half.FIRST if year > today.year or today.month <= 6 else Pledge.Half.SECOND
    period = PeriodForm(request.POST or None, initial={"year": year, "half": half})
    formset = EntryFormSet(request.POST or None)
    if request.method == "POST":
        if period.is_valid() and formset.is_valid():
            response = _save(request, org, member, period, formset)
            if response is not None:
                return response
    else:
        existing = list(editable_pledges(org, member).filter(year=year))
        formset = EntryFormSet(initial=_entry_initial(existing, member))
    others = ended_member_pledges(member)[:20] if member else []
    return render(
        request,
        "pledges/entry.html",
        {
            "org": org,
            "member": member,
            "period": period,
            "formset": formset,
            "breadcrumbs": org.breadcrumbs(),
            "others": others,
            "can_import": can_manage_organization(request.user, org),
        },
    )


@login_required
@require_POST
def bulk(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_visible_or_404(Organization, request.user, pk)
    form = BulkForm(request.POST)
    back = safe_next(request, reverse("pledges:organization", args=[org.pk]))
    if not form.is_valid():
        first_errors(request, form)
        return redirect(back)
    pledges = bulk_targets(request.user, org, form.cleaned_data["pledges"])
    if not pledges:
        messages.warning(request, _("所选承诺不在您可处理的范围内"))
        return redirect(back)
    try:
        result = pledges_bulk(
            pledges=pledges,
            by=request.user,
            action=form.cleaned_data["action"],
            reason=form.cleaned_data["reason"],
        )
    except TransitionError as e:
        messages.error(request, str(e))
        return redirect(back)
    if result.done:
        messages.success(request, _("已处理 %(n)d 项") % {"n": len(result.done)})
    for pledge, reason in result.refused:
        messages.warning(request, f"{pledge.owner_name}：{pledge.title} — {reason}")
    return redirect(back)
