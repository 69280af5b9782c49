"""The dashboard's figures: coverage, rows, trend points, and the figures other apps add."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from pledges.models import Calendar, Organization

from ...models import (
    Quarter,
    Review,
)
from ...rules.calendar import grade_choices

GRADES = list(Review.Grade.choices)


def children_of(org: Organization) -> list[Organization]:
    # By path and depth rather than treebeard's numchild, which bulk-loaded trees may not keep.
    return list(
        Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1).order_by("path")
    )


def half_of(quarter: int) -> int:
    return 1 if quarter <= 2 else 2


def pct(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def pct100(part: int, whole: int) -> int | None:
    """A whole percentage for bars and labels; None when there is nothing to divide."""
    return round(part * 100 / whole) if whole else None


@dataclass
class Coverage:
    total: int = 0
    pledged: int = 0
    reported: int = 0
    reviewed: int = 0
    # Those that owe no report or review this quarter (a half-yearly calendar's first and
    # third quarters, reviews.selectors.due): left out of the reports' and reviews' whole.
    not_due: int = 0

    def add(self, other: Coverage) -> None:
        self.total += other.total
        self.pledged += other.pledged
        self.reported += other.reported
        self.reviewed += other.reviewed
        self.not_due += other.not_due

    @property
    def due(self) -> int:
        """How many owe a report and a review this quarter."""
        return self.total - self.not_due

    @property
    def not_pledged(self) -> int:
        return self.total - self.pledged

    @property
    def not_reported(self) -> int:
        return max(self.due - self.reported, 0)

    @property
    def not_reviewed(self) -> int:
        return max(self.due - self.reviewed, 0)

    def bars(self) -> list[dict]:
        """The three coverage figures with their share of their whole, for bars: pledges of
        everyone, reports and reviews of those that owe one this quarter."""
        return [
            {
                "key": key,
                "label": label,
                "n": n,
                "whole": whole,
                "pct": pct100(n, whole),
                "not_due": not_due,
            }
            for key, label, n, whole, not_due in (
                ("pledged", _("已承诺"), self.pledged, self.total, 0),
                ("reported", _("已自评"), self.reported, self.due, self.not_due),
                ("reviewed", _("已点评"), self.reviewed, self.due, self.not_due),
            )
        ]


@dataclass
class Row:
    """One line of the dashboard: a child's whole subtree, the root's own level, or the total."""

    org: Organization | None
    label: str
    orgs: Coverage = field(default_factory=Coverage)
    members: Coverage = field(default_factory=Coverage)
    grades: Counter = field(default_factory=Counter)
    rect_total: int = 0
    rect_done: int = 0
    satisfaction: Counter = field(default_factory=Counter)
    # The words of the row's committee's scale (好/较好/一般/差 or 好/中/差).
    grade_scale: str = Calendar.GradeScale.FOUR

    def add(self, other: Row) -> None:
        self.orgs.add(other.orgs)
        self.members.add(other.members)
        self.grades.update(other.grades)
        self.rect_total += other.rect_total
        self.rect_done += other.rect_done
        self.satisfaction.update(other.satisfaction)

    @property
    def rect_rate(self) -> float | None:
        return pct(self.rect_done, self.rect_total)

    @property
    def responses(self) -> int:
        return sum(self.satisfaction.values())

    @property
    def satisfaction_rate(self) -> float | None:
        s = self.satisfaction
        return pct(s["satisfied"] + s["basic"], self.responses)

    @property
    def rect_pct(self) -> int | None:
        return pct100(self.rect_done, self.rect_total)

    @property
    def satisfaction_pct(self) -> int | None:
        s = self.satisfaction
        return pct100(s["satisfied"] + s["basic"], self.responses)

    @property
    def graded(self) -> int:
        return sum(self.grades.values())

    def grade_bars(self) -> list[dict]:
        """Each grade's count and share of the graded reviews, for a stacked bar, in the words
        of the row's scale (a grade off the scale, from a region below grading otherwise, is
        still shown, in its own word)."""
        total = self.graded
        words = dict(grade_choices(self.grade_scale))
        words.update((v, label) for v, label in GRADES if v not in words and self.grades[v])
        return [
            {
                "key": value,
                "label": words[value],
                "n": self.grades[value],
                "pct": pct100(self.grades[value], total) or 0,
            }
            for value, _label in GRADES
            if value in words
        ]


@dataclass
class TrendPoint:
    quarter: Quarter
    orgs_reported: int = 0
    orgs_reviewed: int = 0
    members_reported: int = 0
    members_reviewed: int = 0
    good: int = 0
    graded: int = 0
    rect_total: int = 0
    rect_done: int = 0
    # How many owe a review in the quarter (None: everyone; reviews.selectors.due).
    orgs_due: int | None = None
    members_due: int | None = None

    @property
    def rect_rate(self) -> float | None:
        return pct(self.rect_done, self.rect_total)

    @property
    def good_rate(self) -> float | None:
        return pct(self.good, self.graded)


@dataclass
class ExtraFigure:
    """A figure another app adds to the dashboard (e.g. opinions received and answered)."""

    label: str
    value: int | str
    note: str = ""


# Apps above reviews (publicity) add their figures here from AppConfig.ready(), so the
# dashboard shows them without reviews importing those apps. Each is called with the root and
# the quarter and must run a fixed number of queries.
EXTRA_FIGURES: list[Callable[[Organization, Quarter], list[ExtraFigure]]] = []


def register_figures(
    fn: Callable[[Organization, Quarter], list[ExtraFigure]],
) -> Callable[[Organization, Quarter], list[ExtraFigure]]:
    if fn not in EXTRA_FIGURES:
        EXTRA_FIGURES.append(fn)
    return fn


@dataclass
class Dashboard:
    root: Organization
    quarter: Quarter
    total: Row
    rows: list[Row]
    trend: list[TrendPoint]
    missing: dict[str, dict]
    extras: list[ExtraFigure] = field(default_factory=list)
