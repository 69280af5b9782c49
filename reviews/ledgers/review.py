"""The office's 点评情况登记表 (Excel), and the period both review ledgers cover.

Rows start from `visible_to(user)`, in a fixed number of queries whatever the size (items
are prefetched in one query, never read per row); the workbook is pledges.excel's (write-only,
A4 landscape print setup with repeated headers), as for every office ledger.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import IO

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.xlsx import write_ledger
from pledges.models import Organization

from ..models import Quarter, RectificationItem, Review, SubjectKind

REGISTER_COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("点评对象"), 18),
    (gettext_lazy("类别"), 10),
    (gettext_lazy("所属党组织"), 20),
    (gettext_lazy("点评人"), 10),
    (gettext_lazy("点评时间"), 12),
    (gettext_lazy("点评方式"), 14),
    (gettext_lazy("肯定成绩"), 30),
    (gettext_lazy("指出问题"), 30),
    (gettext_lazy("努力方向"), 30),
    (gettext_lazy("点评等次"), 8),
    (gettext_lazy("整改事项及状态"), 40),
    (gettext_lazy("点评状态"), 10),
)


@dataclass(frozen=True)
class Period:
    """A quarter, or a whole year when quarter is None."""

    year: int
    quarter: int | None = None

    @property
    def label(self) -> str:
        if self.quarter:
            return str(Quarter(self.year, self.quarter).label)
        return _("%(year)d年度") % {"year": self.year}

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    def review_filter(self, prefix: str = "") -> dict:
        f = {f"{prefix}year": self.year}
        if self.quarter:
            f[f"{prefix}quarter"] = self.quarter
        return f


def register_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(period)s点评情况登记表") % {"org": org.name, "period": period.label}


def register_reviews(user, org: Organization, period: Period) -> QuerySet[Review]:
    """Signed, published and returned reviews of the subtree (drafts are not yet records)."""
    return (
        Review.objects.visible_to(user)
        .filter(organization__path__startswith=org.path, **period.review_filter())
        .exclude(status=Review.Status.DRAFT)
        .select_related("organization", "member", "reviewer")
        .prefetch_related(Prefetch("items", queryset=RectificationItem.objects.order_by("id")))
        .order_by("year", "quarter", "organization__path", "subject_kind", "member_id", "id")
    )


class Labels:
    """Choice labels looked up once per export, not per row."""

    def __init__(self):
        self.mode = {v: str(label) for v, label in Review.Mode.choices}
        self.grade = {v: str(label) for v, label in Review.Grade.choices}
        self.status = {v: str(label) for v, label in Review.Status.choices}
        self.item_status = {v: str(label) for v, label in RectificationItem.Status.choices}
        self.kind = {v: str(label) for v, label in SubjectKind.choices}
        self.without_report = _("未先报后评")
        self.overdue = _("已逾期（%(status)s）")

    def item_status_of(self, item: RectificationItem, today: datetime.date) -> str:
        label = self.item_status.get(item.status, item.status)
        if is_overdue(item, today):
            return self.overdue % {"status": label}
        return label


def is_overdue(item: RectificationItem, today: datetime.date) -> bool:
    return item.status in RectificationItem.PENDING_STATUSES and item.deadline < today


def person(user) -> str:
    return user.get_full_name() or user.username


def register_row(index: int, review: Review, today: datetime.date, labels: Labels) -> list:
    mode = labels.mode.get(review.mode, review.mode)
    if review.without_report:
        mode = f"{mode}（{labels.without_report}）"
    items = "\n".join(
        f"{n}. {i.problem}；{i.measures}（{i.responsible}，{i.deadline:%Y-%m-%d}）"
        f"〔{labels.item_status_of(i, today)}〕"
        for n, i in enumerate(review.items.all(), start=1)
    )
    return [
        index,
        review.subject_name,
        labels.kind.get(review.subject_kind, review.subject_kind),
        review.organization.name,
        person(review.reviewer),
        review.date,
        mode,
        review.achievements,
        review.problems,
        review.direction,
        labels.grade.get(review.grade, review.grade),
        items,
        labels.status.get(review.status, review.status),
    ]


def write_register(out: IO[bytes], *, user, org: Organization, period: Period) -> int:
    """点评情况登记表 of the subtree for the period; returns the number of reviews."""
    labels, today = Labels(), timezone.localdate()
    return write_ledger(
        out,
        sheet_name=_("点评情况登记表"),
        title=register_title(org, period),
        columns=REGISTER_COLUMNS,
        rows=register_reviews(user, org, period).iterator(500),
        to_cells=lambda n, r: register_row(n, r, today, labels),
        late_column=None,
        is_late=lambda r: False,
        empty=_("没有可导出的点评"),
    )
