"""Printable A4 documents in the official style, from print CSS (no PDF library): the branch's
公开承诺书 and a member's 公开承诺卡, each with every field and signature and date lines."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from pledges.models import Member, Organization, Pledge
from pledges.models.position import roles_of
from pledges.rules.organization import can_view_organization


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _filed(user, year: int):
    return (
        Pledge.objects.visible_to(user)
        .filter(year=year, status__in=Pledge.FILED_STATUSES)
        .order_by("half", "kind", "id")
    )


@login_required
def pledge_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """党支部公开承诺书: the organization's own pledges."""
    org = get_object_or_404(Organization, pk=pk)
    if not can_view_organization(request.user, org):
        raise Http404
    year = _year(request)
    pledges = list(_filed(request.user, year).filter(owner_org=org, owner_member__isnull=True))
    return render(
        request, "publicity/print_letter.html", {"org": org, "year": year, "pledges": pledges}
    )


@login_required
def pledge_card(request: HttpRequest, pk: int) -> HttpResponse:
    """党员公开承诺卡: one member's pledges, for the member himself or whoever keeps the book."""
    member = get_object_or_404(Member.objects.select_related("organization"), pk=pk)
    own = roles_of(request.user).member
    if not (
        (own is not None and own.pk == member.pk)
        or can_view_organization(request.user, member.organization)
    ):
        raise Http404
    year = _year(request)
    pledges = list(_filed(request.user, year).filter(owner_member=member))
    return render(
        request,
        "publicity/print_card.html",
        {"member": member, "org": member.organization, "year": year, "pledges": pledges},
    )
