import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from pledges.models import Pledge, ProgressRecord
from tests.factories import MemberFactory, PledgeFactory

TODAY = timezone.localdate()
YEAR = TODAY.year
S = Pledge.Status
HEADER = [
    "序号",
    "党组织",
    "党员",
    "承诺类别",
    "承诺事项",
    "践诺措施",
    "完成时限",
    "预期效果",
    "最新进展",
    "状态",
    "销号日期",
    "兑现情况",
]


def download(client, user, org, year=YEAR):
    client.force_login(user)
    return client.get(f"/org/{org.pk}/ledger.xlsx?year={year}")


def sheet_of(response):
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(body)).worksheets[0]


def data_rows(sheet):
    return [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]


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
            date=TODAY - datetime.timedelta(days=days),
            text=text,
            author=w.secretary,
        )
    closed = PledgeFactory(
        owner_member=w.member,
        title="清理楼道杂物",
        kind=Pledge.Kind.SERVICE,
        status=S.CLOSED,
        closed_on=TODAY - datetime.timedelta(days=2),
        close_result="楼道畅通，居民满意",
        created_by=w.secretary,
    )
    overdue = PledgeFactory(
        owner_member=w.member,
        title="改掉开会迟到",
        kind=Pledge.Kind.FAULT,
        status=S.IN_PROGRESS,
        deadline=TODAY - datetime.timedelta(days=1),
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
        closed_on=TODAY,
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


def test_it_exports_the_branch_ledger_with_every_column(client, book):
    sheet = sheet_of(download(client, book.secretary, book.branch))
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
    assert running[6].date() == book.running.deadline
    assert running[7] == book.running.expected_result
    latest = TODAY - datetime.timedelta(days=5)
    assert running[8] == f"{latest:%Y-%m-%d} 送去米面油"
    assert running[9] == "践诺中"
    closed = rows["清理楼道杂物"]
    assert closed[3] == "服务承诺"
    assert closed[9] == "已销号"
    assert closed[10].date() == book.closed.closed_on
    assert closed[11] == "楼道畅通，居民满意"
    assert rows["改掉开会迟到"][9] == "已逾期（践诺中）"
    assert rows["改掉开会迟到"][3] == "改正缺点"


def test_it_puts_the_organizations_own_pledges_first_and_numbers_rows(client, book):
    rows = data_rows(sheet_of(download(client, book.secretary, book.branch)))
    assert rows[0][4] == "组织：修缮活动室"
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))


def test_it_is_set_up_for_printing(client, book):
    sheet = sheet_of(download(client, book.secretary, book.branch))
    assert sheet.freeze_panes == "A3"
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    assert int(sheet.page_setup.fitToWidth) == 1
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert "A1:L1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.column_dimensions["E"].width == 30


def test_it_names_the_file_in_chinese(client, book):
    response = download(client, book.secretary, book.branch)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition
    assert "%E5%8F%B0%E8%B4%A6" in disposition  # 台账
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_it_shows_the_office_the_filed_pledges_of_its_whole_subtree(client, book):
    rows = by_title(sheet_of(download(client, book.office, book.town)))
    assert "西街的承诺" in rows
    assert "帮扶两户困难户" in rows
    assert "草稿中的承诺" not in rows  # not filed with the office yet
    assert rows["西街的承诺"][1] == "西街社区党支部"


def test_it_takes_the_year_from_the_query(client, book):
    rows = by_title(sheet_of(download(client, book.secretary, book.branch, year=YEAR - 1)))
    assert set(rows) == {"去年的承诺"}


def test_it_says_so_when_there_is_nothing_to_export(client, world):
    sheet = sheet_of(download(client, world.secretary, world.branch))
    assert sheet["A3"].value == "本年度没有可导出的承诺"


@pytest.mark.parametrize("who", ["stranger", "other_secretary", "far_office"])
def test_it_refuses_people_outside_the_organization(client, book, who):
    response = download(client, getattr(book, who), book.branch)
    assert response.status_code == 404


def test_it_refuses_the_other_branch_secretary_the_parent_ledger(client, book):
    assert download(client, book.other_secretary, book.town).status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(client, book):
    response = client.get(f"/org/{book.branch.pk}/ledger.xlsx")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def _queries_for(client, world, n):
    Pledge.objects.all().delete()
    for i in range(n):
        member = MemberFactory(organization=world.branch if i % 2 else world.other_branch)
        pledge = PledgeFactory(
            owner_member=member, status=S.IN_PROGRESS, created_by=world.secretary
        )
        ProgressRecord.objects.create(
            pledge=pledge, date=TODAY, text=f"记实{i}", author=world.secretary
        )
    client.force_login(world.office)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/org/{world.town.pk}/ledger.xlsx?year={YEAR}")
        rows = data_rows(sheet_of(response))
    assert len(rows) == n
    assert all(r[8] for r in rows)
    return len(ctx.captured_queries)


def test_it_keeps_the_query_count_flat(client, world):
    assert _queries_for(client, world, 5) == _queries_for(client, world, 50)


def test_it_marks_overdue_items_and_formats_dates(client, book):
    sheet = sheet_of(download(client, book.secretary, book.branch))
    for row in sheet.iter_rows(min_row=3):
        if row[4].value == "改掉开会迟到":
            assert row[9].font.b and row[9].font.color.rgb.endswith("C00000")
            assert row[6].number_format == "yyyy-mm-dd"
        elif row[4].value == "帮扶两户困难户":
            assert not row[9].font.b
            assert row[8].alignment.wrap_text


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(
    ("who", "url", "queries"),
    [
        pytest.param("secretary", "/org/{branch}/ledger.xlsx", 6, id="the_ledger_download"),
    ],
)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)
