"""承诺践诺台账 (pledges/ledgers/pledge.py), exported as the pages start it: a POST, then the
job's file."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from pledges.ledgers import pledge as ledger
from pledges.models import Pledge, ProgressRecord
from pledges.models.position import roles_of
from tests.factories import MemberFactory, PledgeFactory


def TODAY():  # read at each use: a run may cross midnight in Asia/Shanghai
    return timezone.localdate()


YEAR = TODAY().year
S = Pledge.Status
HEADER = [
    "序号",
    "党组织",
    "党员",
    "承诺类别",
    "承诺事项",
    "践诺措施",
    "预期效果",
    "完成时限",
    "最新进展",
    "状态",
    "销号日期",
    "兑现情况",
    "编号",
    "版本",
]


@pytest.fixture
def sheet_for(export_ledger):
    def sheet(user, org, year=YEAR):
        return export_ledger(user, "pledges", org, year).sheet

    return sheet


def data_rows(sheet):
    """The numbered rows (not the title, header or totals)."""
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    return [r for r in rows if isinstance(r[0], int)]


def by_title(sheet):
    return {r[4]: r for r in data_rows(sheet)}


@pytest.fixture
def book(world):
    """A branch's year: its own pledge, a member's running, closed and overdue ones."""
    w = world
    own = PledgeFactory(
        owner_org=w.branch, title="组织：修缮活动室", status=S.PUBLISHED, created_by=w.secretary
    )
    running = PledgeFactory(
        owner_member=w.member, title="帮扶两户困难户", status=S.IN_PROGRESS, created_by=w.secretary
    )
    for days, text in ((20, "第一次走访"), (5, "送去米面油")):
        ProgressRecord.objects.create(
            pledge=running,
            date=TODAY() - datetime.timedelta(days=days),
            text=text,
            author=w.secretary,
        )
    closed = PledgeFactory(
        owner_member=w.member,
        title="清理楼道杂物",
        kind=Pledge.Kind.SERVICE,
        status=S.CLOSED,
        closed_on=TODAY() - datetime.timedelta(days=2),
        close_result="楼道畅通，居民满意",
        created_by=w.secretary,
    )
    overdue = PledgeFactory(
        owner_member=w.member,
        title="改掉开会迟到",
        kind=Pledge.Kind.FAULT,
        status=S.IN_PROGRESS,
        deadline=TODAY() - datetime.timedelta(days=1),
        created_by=w.secretary,
    )
    draft = PledgeFactory(
        owner_member=w.member, title="草稿中的承诺", status=S.DRAFT, created_by=w.secretary
    )
    PledgeFactory(
        owner_member=w.member,
        title="去年的承诺",
        year=YEAR - 1,
        status=S.CLOSED,
        closed_on=TODAY(),
        close_result="已办结",
        created_by=w.secretary,
    )
    sibling = PledgeFactory(
        owner_member=w.other_member, title="西街的承诺", status=S.PUBLISHED, created_by=w.secretary
    )
    w.__dict__.update(
        own=own, running=running, closed=closed, overdue=overdue, draft=draft, sibling=sibling
    )
    return w


def test_it_exports_the_branch_ledger_with_every_column(sheet_for, book):
    sheet = sheet_for(book.secretary, book.branch)
    assert sheet["A1"].value == f"东街社区党支部 {YEAR}年度承诺践诺台账"
    assert [c.value for c in sheet[2]] == HEADER
    rows = by_title(sheet)
    assert set(rows) == {
        "组织：修缮活动室",
        "帮扶两户困难户",
        "清理楼道杂物",
        "改掉开会迟到",
        "草稿中的承诺",
    }
    own = rows["组织：修缮活动室"]
    assert own[1:4] == ["东街社区党支部", None, "实事承诺"]
    running = rows["帮扶两户困难户"]
    assert running[2] == "张三"
    assert running[5] == book.running.measures
    assert running[6] == book.running.expected_result
    assert isinstance(running[7], datetime.datetime)  # a real Excel date
    assert running[7].date() == book.running.deadline
    latest = TODAY() - datetime.timedelta(days=5)
    assert running[8] == f"{latest:%Y-%m-%d} 送去米面油"
    assert running[9] == "践诺中"
    closed = rows["清理楼道杂物"]
    assert closed[3] == "服务承诺"
    assert closed[9] == "已销号"
    assert closed[10].date() == book.closed.closed_on
    assert closed[11] == "楼道畅通，居民满意"
    assert rows["改掉开会迟到"][9] == "已逾期（践诺中）"
    assert rows["改掉开会迟到"][3] == "改正缺点"


def test_it_ends_with_a_totals_row(sheet_for, book):
    sheet = sheet_for(book.secretary, book.branch)
    last = [c.value for c in sheet[sheet.max_row]]
    # 5 pledges this year: one closed, one overdue (计算: 清理楼道杂物; 改掉开会迟到).
    assert last[:2] == ["合计", "共 5 项，已销号 1 项，逾期 1 项"]
    assert sheet.cell(row=sheet.max_row, column=1).font.b


def test_it_puts_the_organizations_own_pledges_first_and_numbers_rows(sheet_for, book):
    rows = data_rows(sheet_for(book.secretary, book.branch))
    assert rows[0][4] == "组织：修缮活动室"
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))


def test_it_is_set_up_for_printing(sheet_for, book):
    sheet = sheet_for(book.secretary, book.branch)
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert int(sheet.page_setup.fitToWidth or 1) == 1  # 1 is the default: may be left out
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert "A1:N1" in {str(r) for r in sheet.merged_cells.ranges}
    # As Excel stores a width it shows as 30 characters (plus its 5 pixels of padding).
    assert 30 < sheet.column_dimensions["E"].width < 31


def test_it_names_the_job_and_its_file_in_chinese(export_ledger, book):
    job = export_ledger(book.secretary, "pledges", book.branch, YEAR).job
    assert job.title == f"东街社区党支部 {YEAR}年度承诺践诺台账"
    assert job.filename == f"东街社区党支部 {YEAR}年度承诺践诺台账.xlsx"
    assert job.params == {"org": book.branch.pk, "period": str(YEAR)}


def test_it_shows_the_office_the_filed_pledges_of_its_whole_subtree(sheet_for, book):
    rows = by_title(sheet_for(book.office, book.town))
    assert "西街的承诺" in rows
    assert "帮扶两户困难户" in rows
    assert "草稿中的承诺" not in rows  # not filed with the office yet
    assert rows["西街的承诺"][1] == "西街社区党支部"


def test_it_takes_the_year_from_the_period(sheet_for, book):
    rows = by_title(sheet_for(book.secretary, book.branch, year=YEAR - 1))
    assert set(rows) == {"去年的承诺"}


def test_it_says_so_when_there_is_nothing_to_export(sheet_for, world):
    sheet = sheet_for(world.secretary, world.branch)
    assert sheet["A3"].value == "本年度没有可导出的承诺"


@pytest.mark.parametrize("period", ["2026Q1", "2026H1", "26", "二〇二六", "1999", ""])
def test_it_refuses_a_period_it_does_not_cover(export_ledger, book, period):
    exported = export_ledger(book.secretary, "pledges", book.branch, period)
    assert exported.job is None
    assert exported.response.status_code == 302


@pytest.mark.parametrize("who", ["stranger", "other_secretary", "far_office"])
def test_it_refuses_people_outside_the_organization(export_ledger, book, who):
    exported = export_ledger(getattr(book, who), "pledges", book.branch, YEAR)
    assert exported.response.status_code == 404
    assert exported.job is None


def test_it_refuses_the_other_branch_secretary_the_parent_ledger(export_ledger, book):
    exported = export_ledger(book.other_secretary, "pledges", book.town, YEAR)
    assert exported.response.status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(client, book):
    response = client.post("/exports/start/", {"kind": "pledges", "org": book.branch.pk})
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def _queries_for(world, n):
    """The builder's own queries for n pledges (the job's bookkeeping is core's)."""
    Pledge.objects.all().delete()
    for i in range(n):
        member = MemberFactory(organization=world.branch if i % 2 else world.other_branch)
        pledge = PledgeFactory(
            owner_member=member, status=S.IN_PROGRESS, created_by=world.secretary
        )
        ProgressRecord.objects.create(
            pledge=pledge, date=TODAY(), text=f"记实{i}", author=world.secretary
        )
    roles_of(world.office)  # read once per user, before the count
    job = SimpleNamespace(
        requester=world.office, params={"org": world.town.pk, "period": str(YEAR)}
    )
    out = io.BytesIO()
    with CaptureQueriesContext(connection) as ctx:
        ledger.build(job, out, lambda done, total=None: None)
    rows = data_rows(load_workbook(out).worksheets[0])
    assert len(rows) == n
    assert all(r[8] for r in rows)
    return len(ctx.captured_queries)


def test_it_keeps_the_query_count_flat(world):
    # The organization, the count, the rows.
    assert _queries_for(world, 1) == _queries_for(world, 50) == 3


def test_it_reports_progress_with_the_total_first(world, book):
    seen = []
    job = SimpleNamespace(
        requester=book.secretary, params={"org": book.branch.pk, "period": str(YEAR)}
    )
    ledger.build(job, io.BytesIO(), lambda done, total=None: seen.append((done, total)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)


def test_it_marks_overdue_items_and_formats_dates(sheet_for, book):
    sheet = sheet_for(book.secretary, book.branch)
    for row in sheet.iter_rows(min_row=3):
        if row[4].value == "改掉开会迟到":
            assert row[9].font.b and row[9].font.color.rgb.endswith("C00000")
            assert row[7].number_format == "yyyy-mm-dd"
        elif row[4].value == "帮扶两户困难户":
            assert not row[9].font.b
            assert row[8].alignment.wrap_text
