"""What the pages of reviews/ share: the quarter asked for, the subject of a key, the QR slips
of single-use codes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import segno
from django.http import Http404, HttpRequest

from core.access import get_visible_or_404
from core.links import absolute
from pledges.models import Member, Organization
from pledges.models.position import roles_of

from ..models import (
    Quarter,
    Subject,
    SubjectKey,
    SubjectKind,
)

PAGE_SIZE = 30


def quarter_of(request: HttpRequest) -> Quarter:
    return Quarter.parse(request.GET.get("q") or request.POST.get("q"))


def subject_of(request: HttpRequest) -> Subject:
    """The subject the query string names (`SubjectKey`), or 404: malformed, or not visible."""
    try:
        key = SubjectKey.parse(request.GET.get("subject") or request.POST.get("subject"))
    except ValueError as e:
        raise Http404(str(e)) from e
    if key.kind == SubjectKind.MEMBER:
        members = Member.objects.select_related("organization")
        member = get_visible_or_404(members, request.user, key.pk)
        return Subject(SubjectKind.MEMBER, member.organization, member)
    return Subject(key.kind, get_visible_or_404(Organization, request.user, key.pk))


def quarter_nav(quarter: Quarter) -> dict:
    return {"quarter": quarter, "prev_q": quarter.prev(), "next_q": quarter.next()}


def top_position(request: HttpRequest, kinds: tuple[str, ...]) -> int | None:
    """The highest organization the user holds one of these positions in."""
    top = roles_of(request.user).top_position(kinds)
    if top is not None:
        return top.org_id
    if request.user.is_superuser:
        root = Organization.objects.get_first_root_node()
        return root.pk if root else None
    return None


def top_orgs(request: HttpRequest, kinds: tuple[str, ...]) -> list[Organization]:
    """The user's topmost organizations in these positions (none under another), by path:
    a leader linked to two towns gets a way to the second one from the first one's page."""
    tops = roles_of(request.user).topmost_paths(kinds)
    if len(tops) < 2:
        return []
    return list(Organization.objects.filter(path__in=tops).order_by("path"))


class _Code(Protocol):
    code: str

    def get_absolute_url(self) -> str: ...


def code_slips(codes: Iterable[_Code]) -> list[dict]:
    """Printable slips of single-use codes (群众评议, 述职测评): the code and a QR of its page's
    full address. The address comes from SITE_URL (core.links), not from the Host of the
    request that printed it: a slip printed on an intranet address must still open on a phone."""
    slips = []
    for code in codes:
        url = absolute(code.get_absolute_url())
        qr = segno.make(url, error="m")
        # A viewBox and no fixed size, so the stylesheet sets the printed size; the quiet zone
        # of four modules the standard asks for keeps it scannable next to the cut line.
        svg = qr.svg_inline(border=4, omitsize=True, title=code.code)
        slips.append({"code": code.code, "url": url, "svg": svg, "item": code})
    return slips
