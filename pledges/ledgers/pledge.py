"""承诺践诺台账: the committee office's Excel ledger of a subtree's pledges for one year, built in
the background (`pledges/exports.py` registers it).

Rows come from `Pledge.objects.visible_to(user)` (through selectors.pledge.subtree_pledges) as plain
tuples from `values_list(...).iterator()`: one query whatever the size, no model instance per
row (the latest progress record is a subquery column). The workbook is write-only, so rows go
to disk as they are read and memory stays flat.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from typing import IO, Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import stream
from core.periods import Period, progress_of
from core.xlsx import write_ledger

from ..models import Organization, Pledge, ProgressRecord
from ..selectors.pledge import subtree_pledges

# Header (msgid) and width in characters; the order is the ledger's column order.
COLUMNS = (
    (gettext_lazy("序号"), 6),
    (gettext_lazy("党组织"), 22),
    (gettext_lazy("党员"), 10),
    (gettext_lazy("承诺类别"), 10),
    (gettext_lazy("承诺事项"), 30),
    (gettext_lazy("践诺措施"), 34),
    (gettext_lazy("预期效果"), 30),
    (gettext_lazy("完成时限"), 12),
    (gettext_lazy("最新进展"), 36),
    (gettext_lazy("状态"), 14),
    (gettext_lazy("销号日期"), 12),
    (gettext_lazy("兑现情况"), 30),
    # The pledge's id and version: what the import (pledges.uploads.pledge_import) matches a row
    # by, and how it knows the row was exported from the pledge as it still is.
    (gettext_lazy("编号"), 8),
    (gettext_lazy("版本"), 6),
)
STATUS_COLUMN = 9
# Rows read from the database per round trip (a server-side cursor on PostgreSQL).
CHUNK = 2000

# The columns the ledger reads, in this order (see ledger_row).
FIELDS = (
    "owner_org__name",
    "owner_member__name",
    "kind",
    "title",
    "measures",
    "expected_result",
    "deadline",
    "latest_date",
    "latest_text",
    "status",
    "closed_on",
    "close_result",
    "id",
    "edit_version",
)
_KIND, _DEADLINE, _LATEST_DATE, _LATEST_TEXT, _STATUS = 2, 6, 7, 8, 9


# ---- 承诺践诺台账 --------------------------------------------------------------------------


def ledger_title(org: Organization, period: Period) -> str:
    return _("%(org)s %(period)s承诺践诺台账") % {"org": org.name, "period": period.label}


def ledger_rows(user, org: Organization, year: int, half: int | None = None) -> QuerySet:
    """The ledger's rows as tuples of FIELDS, in tree order.

    With a `half` (a filing's ledger, 备案): the pledges of that half and of the whole year
    that have been checked (审诺); drafts and pledges under review are not yet on record."""
    latest = ProgressRecord.objects.filter(pledge=OuterRef("pk")).order_by("-date", "-id")
    pledges = subtree_pledges(user, org, year)
    if half is not None:
        pledges = pledges.filter(
            half__in=(Pledge.Half.WHOLE_YEAR, half), status__in=Pledge.FILED_STATUSES
        )
    return (
        pledges.annotate(
            latest_text=Subquery(latest.values("text")[:1]),
            latest_date=Subquery(latest.values("date")[:1]),
        )
        # Organizations in tree order; each one's own pledges before its members'.
        .order_by("owner_org__path", F("owner_member_id").asc(nulls_first=True), "id")
        .values_list(*FIELDS)
    )


def is_overdue(row: tuple, today: datetime.date) -> bool:
    return row[_STATUS] in Pledge.RUNNING_STATUSES and row[_DEADLINE] < today


class _Labels:
    """Choice labels looked up once per export, not per row; counts for the totals row."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.kind = {v: str(label) for v, label in Pledge.Kind.choices}
        self.status = {v: str(label) for v, label in Pledge.Status.choices}
        self.overdue = _("已逾期（%(status)s）")
        self.seen: Counter = Counter()

    def status_of(self, row: tuple) -> str:
        label = self.status.get(row[_STATUS], row[_STATUS])
        self.seen[row[_STATUS]] += 1
        if is_overdue(row, self.today):
            self.seen["overdue"] += 1
            return self.overdue % {"status": label}
        return label


def _latest(row: tuple) -> str:
    if not row[_LATEST_TEXT]:
        return ""
    return f"{row[_LATEST_DATE]:%Y-%m-%d} {row[_LATEST_TEXT]}"


def ledger_row(index: int, row: tuple, labels: _Labels) -> list:
    org, member, kind, title, measures, expected, deadline = row[:7]
    return [
        index,
        org,
        member or "",
        labels.kind.get(kind, kind),
        title,
        measures,
        expected,
        deadline,
        _latest(row),
        labels.status_of(row),
        row[10],
        row[11],
        row[12],
        row[13],
    ]


def totals_row(count: int, labels: _Labels) -> list:
    text = _("共 %(n)d 项，已销号 %(closed)d 项，逾期 %(overdue)d 项") % {
        "n": count,
        "closed": labels.seen[Pledge.Status.CLOSED],
        "overdue": labels.seen["overdue"],
    }
    return [_("合计"), text]


def write_pledge_ledger(
    out: IO[bytes], *, user, org: Organization, period: Period, progress=None
) -> int:
    """Write the ledger workbook to `out`; return the number of pledge rows."""
    labels = _Labels(timezone.localdate())
    rows = ledger_rows(user, org, period.year, period.half)
    report = progress_of(progress, rows.count()) if progress else None
    return write_ledger(
        out,
        sheet_name=_("承诺践诺台账"),
        title=ledger_title(org, period),
        columns=COLUMNS,
        rows=stream(rows, CHUNK),
        to_cells=lambda n, row: ledger_row(n, row, labels),
        empty=_("本年度没有可导出的承诺"),
        late_column=STATUS_COLUMN,
        is_late=lambda row: is_overdue(row, labels.today),
        totals=lambda count: totals_row(count, labels),
        progress=report,
    )


def build(job: Any, out: IO[bytes], progress) -> int:
    """The export builder: job.params {"org", "period"}, rows visible to job.requester."""
    org = Organization.objects.get(pk=job.params["org"])
    period = Period.parse(job.params["period"], ("year",))
    return write_pledge_ledger(out, user=job.requester, org=org, period=period, progress=progress)


def ledger_cells(user, org: Organization, period: Period) -> Iterator[list]:
    """The ledger's rows as the cells the workbook holds, for another format (a filing's PDF)."""
    labels = _Labels(timezone.localdate())
    rows = ledger_rows(user, org, period.year, period.half)
    for n, row in enumerate(stream(rows, CHUNK), start=1):
        yield ledger_row(n, row, labels)
