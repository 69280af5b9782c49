"""Print (for the notice board and the files): the branch's 公开承诺书 and a member's 公开承诺卡
(login), each with every field and signature and date lines; the public A4 posters and the QR
codes that lead to the public pages (no login, cached). Print CSS, no PDF library; the QR codes
are SVG drawn by segno, sharp at any print size."""

from __future__ import annotations

import io

import segno
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.access import get_visible_or_404
from core.dates import parse_year
from pledges.models import Member, Organization, Pledge

from .. import posters
from ..cache import cached_page
from ..selectors import public as selectors


def qr_svg(url: str, *, scale: int = 4, title: str = "") -> str:
    """A standalone SVG document for the address."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=scale, border=2, title=title or None, xmldecl=True
    )
    return buffer.getvalue().decode("utf-8")


def qr_inline(url: str, *, scale: int = 5) -> str:
    """An <svg> element to put inside a page (the printed posters)."""
    return segno.make(url, error="m").svg_inline(scale=scale, border=2, omitsize=False)


def _filed(user, year: int):
    return (
        Pledge.objects.visible_to(user)
        .filter(year=year, status__in=Pledge.FILED_STATUSES)
        .order_by("half", "kind", "id")
    )


@login_required
def print_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """党支部公开承诺书: the organization's own pledges."""
    org = get_visible_or_404(Organization, request.user, pk)
    year = parse_year(request.GET.get("year"))
    pledges = list(_filed(request.user, year).filter(owner_org=org, owner_member__isnull=True))
    return render(
        request, "publicity/print_letter.html", {"org": org, "year": year, "pledges": pledges}
    )


@login_required
def print_card(request: HttpRequest, pk: int) -> HttpResponse:
    """党员公开承诺卡: one member's pledges, for the member himself or whoever keeps the book."""
    member = get_visible_or_404(Member.objects.select_related("organization"), request.user, pk)
    year = parse_year(request.GET.get("year"))
    pledges = list(_filed(request.user, year).filter(owner_member=member))
    return render(
        request,
        "publicity/print_card.html",
        {"member": member, "org": member.organization, "year": year, "pledges": pledges},
    )


@cached_page
def print_org_poster(request: HttpRequest, org_pk: int) -> HttpResponse:
    """An A4 poster for the notice board: the organization's name and its QR code."""
    org = selectors.public_org_or_404(org_pk)
    url = request.build_absolute_uri(reverse("publicity:organization", args=[org.pk]))
    context = {
        "org": org,
        "url": url,
        "qr": qr_inline(url, scale=8),
        "share_title": org.name,
        "share_image": selectors.absolute(reverse("publicity:org_poster_png", args=[org.pk])),
    }
    return render(request, "publicity/print_org_poster.html", context)


@cached_page
def print_notice_poster(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    """The notice itself on one A4 sheet for the board, with its QR code."""
    org = selectors.public_org_or_404(org_pk)
    n = selectors.public_notice_or_404(org, pk)
    url = request.build_absolute_uri(n.public_url())
    context = {
        "org": org,
        "notice": n,
        "items": selectors.notice_items(n),
        "url": url,
        "qr": qr_inline(url, scale=3),
        "share_title": n.title,
        "share_image": selectors.absolute(
            reverse("publicity:notice_poster_png", args=[org.pk, n.pk])
        ),
    }
    return render(request, "publicity/print_notice_poster.html", context)


@cached_page
def org_qr(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = selectors.public_org_or_404(org_pk)
    url = request.build_absolute_uri(reverse("publicity:organization", args=[org.pk]))
    return HttpResponse(qr_svg(url, title=org.name), content_type="image/svg+xml")


@cached_page
def notice_qr(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    n = selectors.public_notice_or_404(selectors.public_org_or_404(org_pk), pk)
    url = request.build_absolute_uri(n.public_url())
    return HttpResponse(qr_svg(url, title=n.title), content_type="image/svg+xml")


def _png(data: bytes) -> HttpResponse:
    return HttpResponse(data, content_type="image/png")


@cached_page
def org_qr_png(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = selectors.public_org_or_404(org_pk)
    return _png(
        posters.qr_png(selectors.absolute(reverse("publicity:organization", args=[org.pk])))
    )


@cached_page
def notice_qr_png(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    n = selectors.public_notice_or_404(selectors.public_org_or_404(org_pk), pk)
    return _png(posters.qr_png(selectors.absolute(n.public_url())))


@cached_page
def org_poster_png(request: HttpRequest, org_pk: int) -> HttpResponse:
    """The share image of every page of the organization: its name over its QR code."""
    org = selectors.public_org_or_404(org_pk)
    url = selectors.absolute(reverse("publicity:organization", args=[org.pk]))
    return _png(posters.poster_png(url, org.name, _("扫码查看公开承诺践诺，无需登录")))


@cached_page
def notice_poster_png(request: HttpRequest, org_pk: int, pk: int) -> HttpResponse:
    org = selectors.public_org_or_404(org_pk)
    n = selectors.public_notice_or_404(org, pk)
    url = selectors.absolute(n.public_url())
    return _png(posters.poster_png(url, n.title, org.name))
