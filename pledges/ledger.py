"""承诺践诺台账: the committee office's Excel ledger of a subtree's pledges for one year.

Rows come from `Pledge.objects.visible_to(user)` (through selectors.subtree_pledges), in one
query whatever the size: the latest progress record is a subquery column, not a per-row read.
The workbook is write-only, so rows go to disk as they are read and memory stays flat.
"""

from __future__ import annotations

import datetime
from copy import copy
from typing import IO

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

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
    (gettext_lazy("最新进展"), 36),
    (gettext_lazy("状态"), 14),
    (gettext_lazy("销号日期"), 12),
    (gettext_lazy("兑现情况"), 30),
)
STATUS_COLUMN = 8
DATE_FORMAT = "yyyy-mm-dd"


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
        _latest(pledge),
        labels.status_of(pledge, today),
        pledge.closed_on,
        pledge.close_result,
    ]


def _prototype(sheet, **style) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    for attr, value in style.items():
        setattr(cell, attr, value)
    return cell


def write_pledge_ledger(out: IO[bytes], *, user, org: Organization, year: int) -> int:
    """Write the ledger workbook to `out`; return the number of pledge rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("承诺践诺台账"))
    last_letter = get_column_letter(len(COLUMNS))
    # Column widths, panes and print setup must be set before the first row is written.
    for i, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = _("第 &P 页，共 &N 页")
    sheet.oddFooter.right.text = _("导出日期：%(date)s") % {
        "date": f"{timezone.localdate():%Y-%m-%d}"
    }

    title = WriteOnlyCell(sheet, ledger_title(org, year))
    title.font = Font(size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    sheet.merged_cells.add(CellRange(f"A1:{last_letter}1"))
    sheet.row_dimensions[1].height = 30
    sheet.append([title])

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_style = {
        "font": Font(bold=True),
        "fill": PatternFill("solid", fgColor="FCE4D6"),
        "alignment": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "border": border,
    }
    header = []
    for name, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, str(name))
        for attr, value in header_style.items():
            setattr(cell, attr, value)
        header.append(cell)
    sheet.append(header)

    # Styles are set once on prototypes and their style ids copied: setting a style object
    # on every cell hashes it each time and takes half the export's time.
    wrap = Alignment(vertical="top", wrap_text=True)
    plain = _prototype(sheet, alignment=wrap, border=border)
    dated = _prototype(sheet, alignment=wrap, border=border, number_format=DATE_FORMAT)
    late = _prototype(sheet, alignment=wrap, border=border, font=Font(color="C00000", bold=True))
    labels, today, count = _Labels(), timezone.localdate(), 0
    for count, pledge in enumerate(ledger_pledges(user, org, year).iterator(2000), start=1):
        cells = []
        for value in ledger_row(count, pledge, today, labels):
            cell = WriteOnlyCell(sheet, value)
            proto = dated if isinstance(value, datetime.date) else plain
            cell._style = copy(proto._style)
            cells.append(cell)
        if is_overdue(pledge, today):
            cells[STATUS_COLUMN]._style = copy(late._style)
        sheet.append(cells)
    if count == 0:
        sheet.append([_("本年度没有可导出的承诺")])
    workbook.save(out)
    return count
