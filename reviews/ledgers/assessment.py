"""年度总评结果 (Excel) of an organization's year: the organization, its direct children and its
members, as on the year page, built in the background (reviews/exports.py).

The rows are the year page's own (`selectors.assessment.year_rows`, eleven queries whatever the
size): one organization's children and members, a few hundred rows at most, so they are read
as the page reads them rather than streamed.
"""

from __future__ import annotations

from collections import Counter
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.periods import Period, progress_of
from core.xlsx import write_ledger
from pledges.models import Organization

from ..models import AnnualAssessment
from ..selectors.assessment import YearRow, year_rows

COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("对象"), 24),
    (gettext_lazy("类别"), 8),
    (gettext_lazy("承诺已销号"), 10),
    (gettext_lazy("承诺总数"), 10),
    (gettext_lazy("一季度点评"), 10),
    (gettext_lazy("二季度点评"), 10),
    (gettext_lazy("三季度点评"), 10),
    (gettext_lazy("四季度点评"), 10),
    (gettext_lazy("整改率（%）"), 10),
    (gettext_lazy("上半年满意率（%）"), 12),
    (gettext_lazy("下半年满意率（%）"), 12),
    (gettext_lazy("每月评比"), 16),
    (gettext_lazy("述职测评（好/较好/一般/差）"), 24),
    (gettext_lazy("总评等次"), 10),
    (gettext_lazy("评先评优"), 10),
    (gettext_lazy("备注"), 30),
)


def grades_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(year)d年度总评结果") % {"org": org.name, "year": period.year}


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


class _Grades:
    def __init__(self):
        self.grade = {v: str(label) for v, label in AnnualAssessment.Grade.choices}
        self.member, self.org, self.yes = _("党员"), _("党组织"), _("是")
        self.seen: Counter = Counter()

    def row(self, index: int, row: YearRow) -> list:
        halves = row.halves()
        a = row.assessment
        grade = self.grade.get(a.grade, a.grade) if a and a.grade else ""
        self.seen[grade] += 1
        return [
            index,
            row.name,
            self.member if row.member else self.org,
            row.pledges_closed,
            row.pledges_total,
            *["、".join(g) for g in row.grades_by_quarter()],
            _percent(row.rect_rate),
            *[_percent(h["rate"]) if h["valid"] else None for h in halves],
            row.standing_summary,
            "；".join(
                f"{t.get_audience_display()} {t.good}/{t.fairly_good}/{t.average}/{t.poor}"
                for t in row.duty_tallies
            ),
            grade,
            self.yes if a and a.exemplary else "",
            a.remark if a else "",
        ]

    def totals(self, count: int) -> list:
        counts = "，".join(
            f"{label} {self.seen[label]}" for label in self.grade.values() if self.seen[label]
        )
        return [_("合计"), _("共 %(n)d 个对象") % {"n": count}, counts]


def write_grades(
    out: IO[bytes], *, org: Organization, period: Period, rows: list[YearRow], progress=None
) -> int:
    grades = _Grades()
    return write_ledger(
        out,
        sheet_name=_("年度总评"),
        title=grades_title(org, period),
        columns=COLUMNS,
        rows=rows,
        to_cells=grades.row,
        empty=_("没有可导出的总评对象"),
        totals=grades.totals,
        progress=progress_of(progress, len(rows)) if progress else None,
    )


def build(job: Any, out: IO[bytes], progress) -> int:
    org = Organization.objects.get(pk=job.params["org"])
    period = Period.parse(job.params["period"], ("year",))
    rows = year_rows(org, period.year)
    return write_grades(out, org=org, period=period, rows=rows, progress=progress)
