"""The pledge file's layouts (the template and the exported ledger), limits and result."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy

from core.xlsx_import import Column, Layout, Report, text_of
from core.xlsx_import import Row as BaseRow

from ...models import Member, Organization, Pledge
from ...rules.pledge_content import PledgeContent

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
# A branch's year is 3-5 items of its own and about 4 per member: a branch of 250 members fits.
# Each new row goes through pledge_create (about 4.5 queries): 2,000 rows took 13 s to write on
# the shared test machine, check only 1.2 s; 1,000 keeps a full file well inside a request.
MAX_ROWS = 1000
ANCHOR = "承诺事项"
EXAMPLE_TITLE = "（示例行，导入时忽略）为独居老人每月上门服务一次"

_KIND = gettext_lazy("必填，从下拉列表中选择")
_TITLE = gettext_lazy("必填，不超过 200 字；能量化、能完成、易考核")
_TEXT = gettext_lazy("必填，不超过 2000 字")
_DEADLINE = gettext_lazy("必填，日期，如 2026-12-31，须在承诺期间内")

TEMPLATE = Layout(
    "template",
    (
        Column(
            "owner",
            "承诺人",
            True,
            24,
            gettext_lazy("必填：本支部党员的姓名，或党组织的名称（党组织自身的承诺）"),
        ),
        Column("kind", "类别", True, 12, _KIND),
        Column("title", "承诺事项", True, 36, _TITLE),
        Column("measures", "践诺措施", True, 40, _TEXT),
        Column("deadline", "完成时限", True, 14, _DEADLINE),
        Column("expected_result", "预期效果", True, 30, _TEXT),
    ),
    frozenset({"序号", "备注"}),
)

# The exported 承诺践诺台账 (pledges.ledger): each row names its pledge by 编号 and the version it
# was exported at; the content columns may be edited, the others are the book's own record.
LEDGER = Layout(
    "ledger",
    (
        Column("org", "党组织", True, 22),
        Column("member", "党员", True, 10),
        Column("kind", "承诺类别", True, 10),
        Column("title", "承诺事项", True, 30),
        Column("measures", "践诺措施", True, 34),
        Column("deadline", "完成时限", True, 12),
        Column("expected_result", "预期效果", True, 30),
        Column("latest", "最新进展", True, 36),
        Column("status", "状态", True, 14),
        Column("closed_on", "销号日期", True, 12),
        Column("close_result", "兑现情况", True, 30),
        Column("id", "编号", True, 8),
        Column("version", "版本", True, 6),
    ),
    frozenset({"序号", "备注"}),
)
# What a ledger row may change: the content, through pledge_update.
LEDGER_EDITABLE = Pledge.CONTENT_FIELDS


def is_not_a_pledge(row: BaseRow) -> bool:
    """The template's example row, and the exported ledger's totals row (合计, with the counts
    under 党组织 and neither 承诺类别 nor 承诺事项). Only the ledger has an 党组织 column."""
    title = text_of(row.cells["title"][1])
    if title == EXAMPLE_TITLE:
        return True
    is_ledger = "org" in row.cells
    return is_ledger and not title and not text_of(row.cells["kind"][1])


@dataclass
class Row(BaseRow):
    owner_org: Organization | None = None  # the organization itself, or one of its 党小组
    owner: Member | None = None  # None: the organization's own pledge
    content: PledgeContent | None = None
    existing: Pledge | None = None  # the book's pledge this row is
    # A ledger row: the pledge's id and the version it was exported at.
    pledge_id: int | None = None
    version: int | None = None
    # A ledger row's edited content fields, in column order.
    changes: list[str] = field(default_factory=list)


@dataclass
class PledgeImportResult(Report):
    year: int = 0
    half: int = Pledge.Half.WHOLE_YEAR
    is_ledger: bool = False
    created: list[Pledge] = field(default_factory=list)
    # Ledger rows whose content was edited: (row number, pledge, verbose names of the fields).
    updated: list[tuple[int, Pledge, list[str]]] = field(default_factory=list)
    unchanged: int = 0
    # What a check-only run would create and change.
    to_create: int = 0

    @property
    def changes_nothing(self) -> bool:
        return (
            self.ok
            and self.unchanged
            and not self.created
            and not self.to_create
            and not (self.updated)
        )


def parse_date(value: object) -> tuple[datetime.date | None, bool]:
    """A date from a cell: (date, ok). (None, True) for a blank cell."""
    if value is None or value == "":
        return None, True
    if isinstance(value, datetime.datetime):
        return value.date(), True
    if isinstance(value, datetime.date):
        return value, True
    if not isinstance(value, str):
        return None, False
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text, fmt).date(), True
        except ValueError:
            continue
    return None, False
