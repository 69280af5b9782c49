"""The period of a ledger (a year, a half-year or a quarter) as users write it, and the
progress callback every ledger builder passes on to core.xlsx.write_ledger."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .dates import FIRST_YEAR, LAST_YEAR
from .errors import TransitionError

_PERIOD_RE = re.compile(r"^(\d{4})(?:([HQ])([1-4]))?$")
PERIOD_KINDS = ("year", "half", "quarter")


@dataclass(frozen=True)
class Period:
    """A year, a half-year (2026H1) or a quarter (2026Q3) of a ledger."""

    year: int
    half: int | None = None
    quarter: int | None = None

    @classmethod
    def parse(cls, raw: object, allow: tuple[str, ...] = PERIOD_KINDS) -> Period:
        """'2026', '2026H1', '2026Q3' → Period; TransitionError (Chinese) otherwise."""
        match = _PERIOD_RE.match(raw.strip().upper()) if isinstance(raw, str) else None
        if match is None:
            raise TransitionError(_("期间应写作 2026、2026H1 或 2026Q3"))
        year, unit, number = int(match[1]), match[2], int(match[3] or 0)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise TransitionError(_("年度超出范围"))
        if unit == "H" and number > 2:
            raise TransitionError(_("半年只能是 H1 或 H2"))
        period = cls(year, number if unit == "H" else None, number if unit == "Q" else None)
        if period.kind not in allow:
            names = {"year": _("年度"), "half": _("半年"), "quarter": _("季度")}
            raise TransitionError(
                _("这份台账按%(kinds)s导出") % {"kinds": "、".join(names[k] for k in allow)}
            )
        return period

    @property
    def kind(self) -> str:
        return "quarter" if self.quarter else "half" if self.half else "year"

    @property
    def code(self) -> str:
        if self.quarter:
            return f"{self.year}Q{self.quarter}"
        return f"{self.year}H{self.half}" if self.half else str(self.year)

    @property
    def label(self) -> str:
        if self.quarter:
            return _("%(year)d年第%(q)d季度") % {"year": self.year, "q": self.quarter}
        if self.half:
            half = _("上半年") if self.half == 1 else _("下半年")
            return _("%(year)d年%(half)s") % {"year": self.year, "half": half}
        return _("%(year)d年度") % {"year": self.year}


def progress_of(progress: Callable[[int, int | None], object], total: int) -> Callable:
    """write_ledger's progress(count) as the export's progress(done, total)."""
    progress(0, total)
    return lambda count: progress(count, total)
