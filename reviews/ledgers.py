"""The office's Excel ledgers of reviews: 点评情况登记表 and 整改台账.

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

from .models import Quarter, RectificationItem, Review, SubjectKind

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
ITEM_COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("党组织"), 20),
    (gettext_lazy("整改对象"), 16),
    (gettext_lazy("问题"), 28),
    (gettext_lazy("整改措施"), 30),
    (gettext_lazy("责任人"), 10),
    (gettext_lazy("整改时限"), 12),
    (gettext_lazy("状态"), 14),
    (gettext_lazy("整改落实情况"), 30),
    (gettext_lazy("回复点评人"), 26),
    (gettext_lazy("点评人"), 10),
    (gettext_lazy("销号日期"), 12),
)
ITEM_STATUS_COLUMN = 7


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


def items_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(period)s整改台账") % {"org": org.name, "period": period.label}


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


def ledger_items(user, org: Organization, period: Period) -> QuerySet[RectificationItem]:
    """Rectification items of the period's signed reviews in the subtree."""
    return (
        RectificationItem.objects.visible_to(user)
        .live()
        .filter(organization__path__startswith=org.path, **period.review_filter("review__"))
        .select_related("organization", "member", "review__reviewer")
        .order_by("organization__path", "deadline", "id")
    )


class _Labels:
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
        if _is_overdue(item, today):
            return self.overdue % {"status": label}
        return label


def _is_overdue(item: RectificationItem, today: datetime.date) -> bool:
    return item.status in RectificationItem.PENDING_STATUSES and item.deadline < today


def _person(user) -> str:
    return user.get_full_name() or user.username


def register_row(index: int, review: Review, today: datetime.date, labels: _Labels) -> list:
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
        _person(review.reviewer),
        review.date,
        mode,
        review.achievements,
        review.problems,
        review.direction,
        labels.grade.get(review.grade, review.grade),
        items,
        labels.status.get(review.status, review.status),
    ]


def item_row(index: int, item: RectificationItem, today: datetime.date, labels: _Labels) -> list:
    return [
        index,
        item.organization.name,
        item.subject_name,
        item.problem,
        item.measures,
        item.responsible,
        item.deadline,
        labels.item_status_of(item, today),
        item.measures_taken,
        item.reply,
        _person(item.review.reviewer),
        timezone.localtime(item.confirmed_at).date() if item.confirmed_at else None,
    ]


def write_register(out: IO[bytes], *, user, org: Organization, period: Period) -> int:
    """点评情况登记表 of the subtree for the period; returns the number of reviews."""
    labels, today = _Labels(), timezone.localdate()
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


def write_items(out: IO[bytes], *, user, org: Organization, period: Period) -> int:
    """整改台账 of the subtree for the period's reviews; returns the number of items."""
    labels, today = _Labels(), timezone.localdate()
    return write_ledger(
        out,
        sheet_name=_("整改台账"),
        title=items_title(org, period),
        columns=ITEM_COLUMNS,
        rows=ledger_items(user, org, period).iterator(2000),
        to_cells=lambda n, i: item_row(n, i, today, labels),
        late_column=ITEM_STATUS_COLUMN,
        is_late=lambda i: _is_overdue(i, today),
        empty=_("没有可导出的整改事项"),
    )
