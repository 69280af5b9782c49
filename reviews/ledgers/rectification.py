"""The office's 整改台账 (Excel) of the subtree's rectification items."""

from __future__ import annotations

import datetime
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.xlsx import write_ledger
from pledges.models import Organization

from ..models import RectificationItem
from .review import Labels, Period, is_overdue, person

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


def items_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(period)s整改台账") % {"org": org.name, "period": period.label}


def ledger_items(user, org: Organization, period: Period) -> QuerySet[RectificationItem]:
    """Rectification items of the period's signed reviews in the subtree."""
    return (
        RectificationItem.objects.visible_to(user)
        .live()
        .filter(organization__path__startswith=org.path, **period.review_filter("review__"))
        .select_related("organization", "member", "review__reviewer")
        .order_by("organization__path", "deadline", "id")
    )


def item_row(index: int, item: RectificationItem, today: datetime.date, labels: Labels) -> list:
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
        person(item.review.reviewer),
        timezone.localtime(item.confirmed_at).date() if item.confirmed_at else None,
    ]


def write_items(out: IO[bytes], *, user, org: Organization, period: Period) -> int:
    """整改台账 of the subtree for the period's reviews; returns the number of items."""
    labels, today = Labels(), timezone.localdate()
    return write_ledger(
        out,
        sheet_name=_("整改台账"),
        title=items_title(org, period),
        columns=ITEM_COLUMNS,
        rows=ledger_items(user, org, period).iterator(2000),
        to_cells=lambda n, i: item_row(n, i, today, labels),
        late_column=ITEM_STATUS_COLUMN,
        is_late=lambda i: is_overdue(i, today),
        empty=_("没有可导出的整改事项"),
    )
