"""Reads for the coverage dashboard (全覆盖).

Every figure is a sum of the subtree's counter rows (reviews.tallies, pledges.tallies), grouped
on the first characters of the organization path (the child's path) in one query; only the
names of those not yet covered read rows, at most MISSING_LIMIT each, and only where the
counters say some are missing. The number of queries is fixed whatever the tree.
"""

from __future__ import annotations

from pledges.models import Organization

from ...models import Quarter
from ...tallies import REVIEWED_STATUSES
from .counted import counted, follow_calendars
from .figures import (
    EXTRA_FIGURES,
    GRADES,
    Coverage,
    Dashboard,
    ExtraFigure,
    Row,
    TrendPoint,
    children_of,
    half_of,
    pct,
    pct100,
    register_figures,
)
from .missing import MISSING_LIMIT, missing, pledges_of_year, reviews_of, self_evaluations_of

__all__ = [
    "EXTRA_FIGURES",
    "GRADES",
    "MISSING_LIMIT",
    "REVIEWED_STATUSES",
    "Coverage",
    "Dashboard",
    "ExtraFigure",
    "Row",
    "TrendPoint",
    "children_of",
    "dashboard",
    "half_of",
    "missing",
    "pct",
    "pct100",
    "pledges_of_year",
    "register_figures",
    "reviews_of",
    "self_evaluations_of",
]


def dashboard(root: Organization, quarter: Quarter) -> Dashboard:
    """Coverage of the subtree under `root` for a quarter, per child and in total: sums of the
    subtree's counter rows (reviews.tallies), never a count of the rows themselves. The other
    apps' figures are added after."""
    data = counted(root, quarter)
    follow_calendars(data)
    data.extras = [figure for fn in EXTRA_FIGURES for figure in fn(root, quarter)]
    return data
