"""Geometry of the dashboard's trend chart, drawn as inline SVG (no script, prints as is)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from ..selectors.dashboard import Dashboard, TrendPoint


def marker(name: str, x: float, y: float) -> str:
    """An SVG path for a point of the line `name`: circle, square or diamond, so the three
    lines can be told apart without colour."""
    if name == "members_reviewed":
        return f"M{x - 2.5} {y - 2.5}h5v5h-5z"
    if name == "rect_rate":
        return f"M{x} {y - 3.2}l3.2 3.2l-3.2 3.2l-3.2 -3.2z"
    return f"M{x - 2.5} {y}a2.5 2.5 0 1 0 5 0a2.5 2.5 0 1 0 -5 0"


def trend_chart(data: Dashboard) -> dict:
    """Points for the quarterly trend lines, drawn as inline SVG (no script, prints as is).

    0 % sits on the axis; a quarter without a figure (not begun yet, or no rectification item
    due) has no point, so the line does not dive to zero for it."""
    width, height, left, top = 320, 120, 30, 10
    base = height - 10
    orgs, members = data.total.orgs.total, data.total.members.total
    today = timezone.localdate()

    def share(part: int, whole: int, point: TrendPoint) -> float | None:
        if not whole or point.quarter.start > today:
            return None
        return part / whole

    def whole(due: int | None, total: int) -> int:
        # Those owing a review in the quarter (a half-yearly calendar owes none in Q1 and Q3).
        return total if due is None else due

    series = {
        "orgs_reviewed": [share(p.orgs_reviewed, whole(p.orgs_due, orgs), p) for p in data.trend],
        "members_reviewed": [
            share(p.members_reviewed, whole(p.members_due, members), p) for p in data.trend
        ],
        "rect_rate": [share(p.rect_done, p.rect_total, p) for p in data.trend],
    }
    step = (width - left - 10) / 3
    quarter_names = [_("一季度"), _("二季度"), _("三季度"), _("四季度")]
    lines = {}
    for name, values in series.items():
        dots = []
        for i, v in enumerate(values):
            if v is None:
                continue
            x, y = round(left + i * step, 1), round(top + (1 - min(v, 1)) * (base - top), 1)
            dots.append({"x": x, "y": y, "pct": round(v * 100), "marker": marker(name, x, y)})
        lines[name] = {"points": " ".join(f"{d['x']},{d['y']}" for d in dots), "dots": dots}
    labels = [
        {"x": round(left + i * step, 1), "label": quarter_names[p.quarter.quarter - 1]}
        for i, p in enumerate(data.trend)
    ]
    labels_of = {
        "orgs_reviewed": _("党组织点评覆盖率"),
        "members_reviewed": _("党员点评覆盖率"),
        "rect_rate": _("整改率"),
    }
    legend = [
        {"name": name, "label": labels_of[name], "marker": marker(name, 15, 5)} for name in lines
    ]
    return {
        "width": width,
        "height": height,
        "lines": lines,
        "labels": labels,
        "legend": legend,
        "base": base,
    }
