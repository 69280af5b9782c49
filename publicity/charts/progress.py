"""Bar charts of the public organization page: 销号 per month and satisfaction per period.

Only geometry here: the template draws the <svg role="img"> and, beside it, the <table> that
carries the same figures for print and screen readers. Sizes are in the SVG's own units and
the SVG scales to the width of a phone."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

WIDTH, HEIGHT = 320, 140
LEFT, RIGHT, TOP, BOTTOM = 28, 6, 14, 22


@dataclass
class Bar:
    label: str  # under the bar, short
    full_label: str  # in the table
    value: float
    text: str  # the figure as written above the bar and in the table
    x: float
    y: float
    width: float
    height: float

    show_label: bool = True

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        return round(self.y - 3, 1)


def _bars(values: list[tuple[str, str, float, str]], top: float) -> dict:
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slot = plot_w / max(len(values), 1)
    width = round(min(slot * 0.7, 36), 1)
    bars = []
    for i, (label, full_label, value, text) in enumerate(values):
        h = round(plot_h * min(value, top) / top, 1) if top else 0.0
        x = round(LEFT + i * slot + (slot - width) / 2, 1)
        bars.append(Bar(label, full_label, value, text, x, round(base - h, 1), width, h))
    ticks = [{"y": round(base - plot_h * f, 1), "label": _tick(top * f)} for f in (0, 0.5, 1)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "tick_x": LEFT - 3,
        "right": WIDTH - RIGHT,
        "base": base,
        "bars": bars,
        "ticks": ticks,
        "label_y": HEIGHT - 6,
    }


def _tick(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def monthly_chart(months: list[tuple[datetime.date, int]]) -> dict:
    """销号 per month: one bar a month, the tallest month at the top (at least 4, so one
    pledge does not fill the chart)."""
    top = max([n for _m, n in months] + [4])
    values = [(_("%(m)d月") % {"m": m.month}, f"{m:%Y-%m}", n, str(n)) for m, n in months]
    chart = _bars(values, top)
    # Twelve labels do not fit 320 units: every other month, and always the last.
    for i, bar in enumerate(chart["bars"]):
        bar.show_label = (len(months) - 1 - i) % 2 == 0
    return chart


def satisfaction_chart(results: list) -> dict:
    """满意率 (满意 + 基本满意) per evaluation, oldest first, on 0–100 %."""
    values = []
    for r in reversed(results):
        f = r.figures
        pct = (f.satisfied + f.basic) * 100 / f.total if f.total else 0.0
        e = r.evaluation
        label = f"{e.year % 100:02d}{_half(e.half)}"
        full = _("%(y)d年%(h)s") % {"y": e.year, "h": e.get_half_display()}
        values.append((label, full, pct, f.rate))
    chart = _bars(values, 100)
    chart["ticks"] = [dict(t, label=t["label"] + "%") for t in chart["ticks"]]
    return chart


def _half(half: int) -> str:
    return _("上") if half == 1 else _("下")
