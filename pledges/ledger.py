"""承诺践诺台账: the committee office's Excel ledger of a subtree's pledges for one year.

Rows come from `Pledge.objects.visible_to(user)` (through selectors.subtree_pledges), in one
query whatever the size: the latest progress record is a subquery column, not a per-row read.
The workbook is write-only, so rows go to disk as they are read and memory stays flat.
"""

from __future__ import annotations

import datetime
from typing import IO

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.xlsx import write_ledger

from . import selectors
from .models import Organization, Pledge, ProgressRecord

# Header (msgid) and width in characters; the order is the ledger's column order.
COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("党组织"), 22),
    (gettext_lazy("党员"), 10),
    (gettext_lazy("承诺类别"), 10),
    (gettext_lazy("承诺事项"), 30),
    (gettext_lazy("践诺措施"), 34),
    (gettext_lazy("完成时限"), 12),
    (gettext_lazy("预期效果"), 30),
    (gettext_lazy("最新进展"), 36),
    (gettext_lazy("状态"), 14),
    (gettext_lazy("销号日期"), 12),
    (gettext_lazy("兑现情况"), 30),
)
STATUS_COLUMN = 9


def ledger_title(org: Organization, year: int) -> str:
    return _("%(org)s %(year)d年度承诺践诺台账") % {"org": org.name, "year": year}


def ledger_filename(org: Organization, year: int) -> str:
    return _("%(org)s%(year)d年度承诺践诺台账.xlsx") % {"org": org.name, "year": year}


def ledger_pledges(user, org: Organization, year: int) -> QuerySet[Pledge]:
    latest = ProgressRecord.objects.filter(pledge=OuterRef("pk")).order_by("-date", "-id")
    return (
        selectors.subtree_pledges(user, org, year)
        .select_related("owner_org", "owner_member")
        .annotate(
            latest_text=Subquery(latest.values("text")[:1]),
            latest_date=Subquery(latest.values("date")[:1]),
        )
        # Organizations in tree order; each one's own pledges before its members'.
        .order_by("owner_org__path", F("owner_member_id").asc(nulls_first=True), "id")
    )


def is_overdue(pledge: Pledge, today: datetime.date) -> bool:
    return pledge.status in Pledge.RUNNING_STATUSES and pledge.deadline < today


class _Labels:
    """Choice labels looked up once per export, not per row (get_FOO_display is slow)."""

    def __init__(self):
        self.kind = {v: str(label) for v, label in Pledge.Kind.choices}
        self.status = {v: str(label) for v, label in Pledge.Status.choices}

    def status_of(self, pledge: Pledge, today: datetime.date) -> str:
        label = self.status.get(pledge.status, pledge.status)
        if is_overdue(pledge, today):
            return _("已逾期（%(status)s）") % {"status": label}
        return label


def _latest(pledge: Pledge) -> str:
    if not pledge.latest_text:
        return ""
    return f"{pledge.latest_date:%Y-%m-%d} {pledge.latest_text}"


def ledger_row(index: int, pledge: Pledge, today: datetime.date, labels: _Labels) -> list:
    return [
        index,
        pledge.owner_org.name,
        pledge.owner_member.name if pledge.owner_member_id else "",
        labels.kind.get(pledge.kind, pledge.kind),
        pledge.title,
        pledge.measures,
        pledge.deadline,
        pledge.expected_result,
        _latest(pledge),
        labels.status_of(pledge, today),
        pledge.closed_on,
        pledge.close_result,
    ]


def write_pledge_ledger(out: IO[bytes], *, user, org: Organization, year: int) -> int:
    """Write the ledger workbook to `out`; return the number of pledge rows."""
    labels, today = _Labels(), timezone.localdate()
    return write_ledger(
        out,
        sheet_name=_("承诺践诺台账"),
        title=ledger_title(org, year),
        columns=COLUMNS,
        rows=ledger_pledges(user, org, year).iterator(2000),
        to_cells=lambda n, pledge: ledger_row(n, pledge, today, labels),
        empty=_("本年度没有可导出的承诺"),
        late_column=STATUS_COLUMN,
        is_late=lambda pledge: is_overdue(pledge, today),
    )
