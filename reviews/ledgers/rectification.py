"""整改台账 (Excel) of a subtree's rectification items for a period, built in the background.

Rows are tuples from `values_list(...).iterator()` of `visible_to(user)`: one query, no model
instance per row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import stream
from core.periods import Period, progress_of
from core.xlsx import write_ledger
from pledges.models import Organization

from ..models import RectificationItem
from .review import Labels, is_overdue, person, review_filter

ITEM_COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("党组织"), 20),
    (gettext_lazy("整改对象"), 16),
    (gettext_lazy("问题"), 28),
    (gettext_lazy("整改目标"), 24),
    (gettext_lazy("整改措施"), 30),
    (gettext_lazy("责任人"), 10),
    (gettext_lazy("整改时限"), 12),
    (gettext_lazy("状态"), 14),
    (gettext_lazy("整改落实情况"), 30),
    (gettext_lazy("回复点评人"), 26),
    (gettext_lazy("点评人"), 10),
    (gettext_lazy("销号日期"), 12),
)
ITEM_STATUS_COLUMN = 8
CHUNK = 2000

ITEM_FIELDS = (
    "organization__name",
    "subject_kind",
    "member__name",
    "problem",
    "target",
    "measures",
    "responsible",
    "deadline",
    "status",
    "measures_taken",
    "reply",
    "review__reviewer__first_name",
    "review__reviewer__last_name",
    "review__reviewer__username",
    "confirmed_at",
)
_DEADLINE, _STATUS = 7, 8


def items_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(period)s整改台账") % {"org": org.name, "period": period.label}


def ledger_items(user, org: Organization, period: Period) -> QuerySet:
    """Rectification items of the period's signed reviews in the subtree, as tuples."""
    return (
        RectificationItem.objects.visible_to(user)
        .live()
        .filter(organization__path__startswith=org.path, **review_filter(period, "review__"))
        .order_by("organization__path", "deadline", "id")
        .values_list(*ITEM_FIELDS)
    )


def item_row(index: int, row: tuple, labels: Labels, seen: Counter) -> list:
    org, kind, member, problem, target, measures, responsible, deadline, status = row[:9]
    taken, reply, first, last, username, confirmed_at = row[9:]
    seen[status] += 1
    return [
        index,
        org,
        labels.subject_name(kind, org, member),
        problem,
        target,
        measures,
        responsible,
        deadline,
        labels.item_status_of(status, deadline),
        taken,
        reply,
        person(first, last, username),
        timezone.localtime(confirmed_at).date() if confirmed_at else None,
    ]


def totals_row(count: int, seen: Counter) -> list:
    confirmed = seen[RectificationItem.Status.CONFIRMED]
    return [
        _("合计"),
        _("共 %(n)d 项，已销号 %(done)d 项，销号率 %(rate).1f%%")
        % {"n": count, "done": confirmed, "rate": confirmed * 100 / count},
    ]


def write_items(out: IO[bytes], *, user, org: Organization, period: Period, progress=None) -> int:
    """整改台账 of the subtree for the period's reviews; returns the number of items."""
    labels, seen = Labels(), Counter()
    rows = ledger_items(user, org, period)
    report = progress_of(progress, rows.count()) if progress else None
    return write_ledger(
        out,
        sheet_name=_("整改台账"),
        title=items_title(org, period),
        columns=ITEM_COLUMNS,
        rows=stream(rows, CHUNK),
        to_cells=lambda n, row: item_row(n, row, labels, seen),
        late_column=ITEM_STATUS_COLUMN,
        is_late=lambda row: is_overdue(row[_STATUS], row[_DEADLINE], labels.today),
        empty=_("没有可导出的整改事项"),
        totals=lambda count: totals_row(count, seen),
        progress=report,
    )


def build(job: Any, out: IO[bytes], progress) -> int:
    org = Organization.objects.get(pk=job.params["org"])
    period = Period.parse(job.params["period"])
    return write_items(out, user=job.requester, org=org, period=period, progress=progress)


def item_cells(user, org: Organization, period: Period) -> Iterator[list]:
    """The 整改台账's rows as the workbook's cells (for a filing's PDF)."""
    labels, seen = Labels(), Counter()
    for n, row in enumerate(stream(ledger_items(user, org, period), CHUNK), start=1):
        yield item_row(n, row, labels, seen)
