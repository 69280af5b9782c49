"""Gentle warnings from the sources about how many items to pledge: the advisory side of the
pledge content rules (`pledge_content`), shown, never enforced."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from ..models import Member, Pledge

Status = Pledge.Status


def guidance_for_member(member: Member, pledges: Iterable[Pledge]) -> list[str]:
    """Gentle warnings from the sources: 2–3 实事好事 and 1–2 faults to correct per member."""
    live = [p for p in pledges if p.status != Status.UNFULFILLED]
    good = sum(1 for p in live if p.kind != Pledge.Kind.FAULT)
    faults = sum(1 for p in live if p.kind == Pledge.Kind.FAULT)
    warnings = []
    if good < 2:
        warnings.append(_("建议承诺 2–3 件实事好事，目前只有 %(n)d 件") % {"n": good})
    if faults < 1:
        warnings.append(_("建议至少承诺改正 1 项缺点"))
    return warnings


def guidance_for_organization(pledges: Iterable[Pledge]) -> list[str]:
    """A branch should pledge 3–5 items."""
    count = sum(1 for p in pledges if p.status != Status.UNFULFILLED)
    if count < 3:
        return [_("建议党组织承诺 3–5 项，目前只有 %(n)d 项") % {"n": count}]
    return []
