"""The parameters every ledger export takes, in every app: an organization the user may see
and a period (core.periods)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from core.errors import TransitionError
from core.periods import PERIOD_KINDS, Period

from ..models import Organization


def clean_org_period(params: dict, allow: tuple[str, ...] = PERIOD_KINDS) -> dict:
    """Posted {"org": "12", "period": "2026Q3"} → {"org": 12, "period": "2026Q3"}."""
    raw = params.get("org")
    raw = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    # isascii: str.isdigit() also accepts '²' and other digits int() refuses.
    if not (isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise TransitionError(_("请选择要导出的党组织"))
    if not Organization.objects.filter(pk=int(raw)).exists():
        raise TransitionError(_("没有这个党组织"))
    return {"org": int(raw), "period": Period.parse(params.get("period"), allow).code}


def export_org(user, params: dict) -> Organization | None:
    """The organization of an export's params, if the user may see it."""
    return Organization.objects.visible_to(user).filter(pk=params.get("org")).first()


def export_title(params: dict, name: Callable[[Organization, Period], str]) -> str:
    org = Organization.objects.get(pk=params["org"])
    return name(org, Period.parse(params["period"]))
