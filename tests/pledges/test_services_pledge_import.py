"""导入承诺 through the service: reading, checking and writing a pledge file, and the round trip
of the exported 承诺践诺台账."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from core.periods import Period
from pledges.ledgers import pledge as ledger
from pledges.models import Organization, Pledge, PledgeEvent
from pledges.services import pledge_import as service
from pledges.uploads.pledge_import.shape import EXAMPLE_TITLE
from tests.factories import MemberFactory, make_org

YEAR = timezone.localdate().year
END = datetime.date(YEAR, 12, 31)
OUTSIDERS = ["stranger", "other_secretary", "far_office", "leader", "member_user"]


def text(result) -> str:
    return "\n".join(str(e) for e in result.errors)


def assert_refused(result, *expected):
    assert not result.ok
    assert not result.created
    for fragment in expected:
        assert fragment in text(result), text(result)
    assert not Pledge.objects.exists()


def test_it_imports_a_good_file_as_drafts(world, run_pledge_import, pledge_row):
    result = run_pledge_import(
        [
            pledge_row(),
            pledge_row("东街社区党支部", "服务承诺", "修缮活动室", deadline=f"{YEAR}/06/30"),
            pledge_row(" 张三 ", "改正缺点", "改掉开会迟到", "提前十分钟到会", f"{YEAR}年9月1日"),
        ]
    )
    assert result.ok, text(result)
    assert len(result.created) == 3
    pledges = {p.title: p for p in Pledge.objects.select_related("owner_member")}
    water = pledges["帮助困难户解决饮水问题"]
    assert water.owner_member == world.member
    assert (water.kind, water.status, water.year, water.half) == ("practical", "draft", YEAR, 0)
    assert water.deadline == END
    assert water.measures == "每月走访一次，联系水务站"
    assert water.expected_result == "困难户用上自来水"
    assert water.created_by == world.secretary
    own = pledges["修缮活动室"]
    assert own.owner_member is None and own.owner_org == world.branch
    assert own.deadline == datetime.date(YEAR, 6, 30)
    assert pledges["改掉开会迟到"].kind == Pledge.Kind.FAULT
    # Through pledge_create: each has its history.
    assert PledgeEvent.objects.filter(action="create").count() == 3


def test_it_writes_all_or_nothing_in_one_transaction(
    world, run_pledge_import, pledge_row, monkeypatch
):
    real, calls = service.pledge_create, []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(service, "pledge_create", failing)
    rows = [pledge_row(title=f"承诺{i}") for i in range(4)]
    with pytest.raises(RuntimeError):
        run_pledge_import(rows)
    assert not Pledge.objects.exists()


def test_it_only_checks_when_asked(world, run_pledge_import, pledge_row):
    result = run_pledge_import([pledge_row(), pledge_row(title="第二项")], check_only=True)
    assert result.ok, text(result)
    assert (result.to_create, result.created) == (2, [])
    assert not Pledge.objects.exists()


def test_it_skips_blank_rows_and_the_example_row(world, run_pledge_import, pledge_row):
    result = run_pledge_import([pledge_row(title=EXAMPLE_TITLE), [None] * 6, pledge_row()])
    assert result.ok, text(result)
    assert len(result.created) == 1


def test_it_takes_the_period_from_the_form(world, run_pledge_import, pledge_row):
    result = run_pledge_import([pledge_row(deadline=f"{YEAR}-06-30")], half=Pledge.Half.FIRST)
    assert result.ok, text(result)
    assert result.created[0].half == Pledge.Half.FIRST


def test_it_refuses_the_wrong_template(world, run_pledge_import, roster_xlsx, roster_row):
    result = run_pledge_import(file=roster_xlsx([roster_row("王五")]))
    assert_refused(result, "未找到表头行（应包含“承诺人”“类别”“承诺事项”等列）")


def test_it_refuses_unknown_and_missing_headers(world, run_pledge_import, pledge_xlsx):
    file = pledge_xlsx([["张三", "实事承诺", "修路"]], header=["承诺人", "种类", "承诺事项"])
    assert_refused(
        run_pledge_import(file=file),
        "第 2 行：B 列的表头“种类”无法识别",
        "第 2 行：缺少表头“完成时限”",
    )


def test_it_refuses_an_unknown_member_and_reports_every_row(world, run_pledge_import, pledge_row):
    result = run_pledge_import(
        [pledge_row(), pledge_row("王五"), pledge_row("李四"), pledge_row("", title="无主")]
    )
    assert_refused(
        result,
        "第 4 行 A 列（承诺人）：“王五” 不是东街社区党支部的党员",
        # 李四 is a member of the other branch: not this one's.
        "第 5 行 A 列（承诺人）：“李四” 不是东街社区党支部的党员",
        "第 6 行 A 列（承诺人）：不能为空",
    )
    assert len(result.errors) == 3


def test_it_refuses_a_bad_kind(world, run_pledge_import, pledge_row):
    assert_refused(
        run_pledge_import([pledge_row(kind="好事")]),
        "第 3 行 B 列（类别）：“好事” 不是有效的承诺类别，应为：服务承诺、实事承诺、改正缺点",
    )


@pytest.mark.parametrize(
    ("deadline", "message"),
    [
        pytest.param("", "第 3 行 E 列（完成时限）：请填写完成时限", id="missing"),
        pytest.param(f"{YEAR - 1}-12-31", "早于承诺期间的开始日期", id="before"),
        pytest.param(f"{YEAR + 1}-01-01", "晚于承诺期间的结束日期", id="after"),
        pytest.param("年底前", "“年底前” 不是有效的日期", id="not_a_date"),
        pytest.param(45000, "不是有效的日期", id="a_number"),
        pytest.param("9999-01-01", "日期超出范围", id="absurd"),
    ],
)
def test_it_refuses_a_missing_or_out_of_period_deadline(
    world, run_pledge_import, pledge_xlsx, pledge_row, deadline, message
):
    row = pledge_row()
    row[4] = deadline
    assert_refused(run_pledge_import(file=pledge_xlsx([row])), message)


def test_it_refuses_a_deadline_after_the_half_year(world, run_pledge_import, pledge_row):
    result = run_pledge_import([pledge_row()], half=Pledge.Half.FIRST)
    assert_refused(result, f"晚于承诺期间的结束日期 {YEAR}-06-30")


def test_it_refuses_too_long_text_and_missing_text(world, run_pledge_import, pledge_row):
    result = run_pledge_import(
        [
            pledge_row(title="路" * 201),
            pledge_row(title="第二项", measures="措" * 2001, expected=""),
        ]
    )
    assert_refused(
        result,
        "第 3 行 C 列（承诺事项）：承诺事项不能超过 200 个字（现有 201 个）",
        "第 4 行 D 列（践诺措施）：践诺措施不能超过 2000 个字",
        "第 4 行 F 列（预期效果）：请填写预期效果",
    )


def test_it_refuses_formula_cells(world, run_pledge_import, pledge_row):
    result = run_pledge_import([pledge_row(title='=HYPERLINK("http://x.example","点我")')])
    assert_refused(result, "第 3 行 C 列（承诺事项）：不能使用公式")
    assert len(result.errors) == 1


def test_it_keeps_text_that_only_looks_like_a_formula_as_text(world, run_pledge_import):
    # A cell typed as text ('=1+1 in Excel) is text: it is stored as typed, and every export
    # writes it back as text (core.xlsx.text_safe).
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["承诺人", "类别", "承诺事项", "践诺措施", "完成时限", "预期效果"])
    sheet.append(["张三", "实事承诺", "=1+1", "措施", END, "效果"])
    sheet["C2"].data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    result = run_pledge_import(file=SimpleUploadedFile("a.xlsx", out.getvalue()))
    assert result.ok, text(result)
    assert Pledge.objects.get().title == "=1+1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"", "文件是空的", id="empty"),
        pytest.param("姓名,性别\n".encode(), "不是有效的 .xlsx 表格", id="csv"),
        pytest.param(b"PK\x03\x04" + b"\x00" * 200, "不是有效的 .xlsx 表格", id="corrupt_zip"),
        pytest.param(
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 .xls", id="old_xls"
        ),
    ],
)
def test_it_refuses_a_corrupt_or_non_xlsx_file(world, run_pledge_import, content, message):
    result = run_pledge_import(file=SimpleUploadedFile("承诺.xlsx", content))
    assert_refused(result, message)


def test_it_refuses_a_damaged_sheet_inside_a_valid_zip(world, run_pledge_import, pledge_xlsx):
    src = zipfile.ZipFile(io.BytesIO(pledge_xlsx([]).read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    result = run_pledge_import(file=SimpleUploadedFile("a.xlsx", out.getvalue()))
    assert_refused(result, "无法读取")


def test_it_refuses_10000_rows_by_row_number(world, run_pledge_import, pledge_xlsx, pledge_row):
    row = pledge_row()
    result = run_pledge_import(file=pledge_xlsx([row] * 10000))
    assert_refused(result, "第 1003 行：一个文件最多导入 1000 项承诺")


def test_it_refuses_a_row_repeated_in_the_file(world, run_pledge_import, pledge_row):
    result = run_pledge_import([pledge_row(), pledge_row(title="另一项"), pledge_row()])
    assert_refused(result, "第 5 行 C 列（承诺事项）：与第 3 行重复")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_it_refuses_people_outside_the_branch(world, run_pledge_import, pledge_row, who):
    with pytest.raises(PermissionDenied):
        run_pledge_import([pledge_row()], by=getattr(world, who))
    assert not Pledge.objects.exists()


def test_it_lets_the_office_above_import_for_a_branch(world, run_pledge_import, pledge_row):
    result = run_pledge_import([pledge_row()], by=world.office)
    assert result.ok, text(result)
    assert result.created[0].created_by == world.office


def test_it_does_not_import_the_same_template_twice(world, run_pledge_import, pledge_row):
    rows = [pledge_row(), pledge_row(title="第二项")]
    assert len(run_pledge_import(rows).created) == 2
    again = run_pledge_import(rows + [pledge_row(title="新的一项")])
    assert again.ok, text(again)
    assert (len(again.created), again.unchanged) == (1, 2)
    assert Pledge.objects.count() == 3


def test_it_refuses_a_row_that_differs_from_a_pledge_of_the_same_name(
    world, run_pledge_import, pledge_row, pledge_in
):
    pledge_in("published", world, title="帮助困难户解决饮水问题", deadline=END)
    result = run_pledge_import([pledge_row(measures="改了措施")])
    assert not result.ok
    assert "本期已有同名承诺（已亮诺），内容与表中不同" in text(result)
    assert Pledge.objects.count() == 1


def test_it_takes_rows_of_the_branchs_party_groups_and_their_members(
    world, run_pledge_import, pledge_row
):
    group = make_org("东街第一党小组", world.branch, level=Organization.Level.GROUP)
    MemberFactory(name="赵六", organization=group)
    result = run_pledge_import(
        [pledge_row("赵六", title="组员的"), pledge_row("东街第一党小组", title="小组的")]
    )
    assert result.ok, text(result)
    pledges = {p.title: p for p in Pledge.objects.select_related("owner_member")}
    assert (pledges["组员的"].owner_org, pledges["组员的"].owner_member.name) == (group, "赵六")
    assert (pledges["小组的"].owner_org, pledges["小组的"].owner_member) == (group, None)
    again = run_pledge_import(
        [pledge_row("赵六", title="组员的"), pledge_row("东街第一党小组", title="小组的")]
    )
    assert again.ok and again.changes_nothing, text(again)


def test_it_refuses_a_name_two_members_share(world, run_pledge_import, pledge_row):
    group = make_org("东街第一党小组", world.branch, level=Organization.Level.GROUP)
    MemberFactory(name="张三", organization=group)
    assert_refused(
        run_pledge_import([pledge_row("张三")]),
        "第 3 行 A 列（承诺人）：东街社区党支部有 2 个名为“张三”的党员或党组织，无法确定是哪一个",
    )


# --- the exported 承诺践诺台账, uploaded again ---------------------------------------------


@pytest.fixture
def exported(world, pledge_in):
    """The branch's ledger, exported by the secretary, with pledges in several states."""
    pledge_in("draft", world, title="草稿", deadline=END)
    pledge_in("published", world, title="亮诺的", deadline=END)
    pledge_in("closed", world, title="=1+1 看起来像公式", deadline=END)
    pledge_in("approved", world, member=False, title="组织自身的", deadline=END)
    MemberFactory(name="王五", organization=world.branch)
    out = io.BytesIO()
    ledger.write_pledge_ledger(out, user=world.secretary, org=world.branch, period=Period(YEAR))
    return out.getvalue()


def test_it_recognises_its_own_ledger_and_changes_nothing(world, exported, run_pledge_import):
    before = list(Pledge.objects.values_list("id", "edit_version", "status"))
    events = PledgeEvent.objects.count()
    result = run_pledge_import(file=SimpleUploadedFile("台账.xlsx", exported))
    assert result.ok, text(result)
    assert result.is_ledger and result.changes_nothing
    assert (result.unchanged, result.created) == (4, [])
    assert list(Pledge.objects.values_list("id", "edit_version", "status")) == before
    assert PledgeEvent.objects.count() == events


def test_it_takes_the_ledgers_year_from_its_title(world, exported, run_pledge_import):
    result = run_pledge_import(file=SimpleUploadedFile("台账.xlsx", exported), year=YEAR - 3)
    assert result.ok, text(result)
    assert result.year == YEAR


def edit_ledger(data: bytes, title: str, column: int, value, *extra_rows) -> bytes:
    """The exported ledger with one cell of the row of that title changed (column 0-based)."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=3):
        if row[4].value == title:
            row[column].value = value
    for extra in extra_rows:
        sheet.append(extra)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_it_writes_an_edited_draft_from_the_ledger(world, exported, run_pledge_import):
    draft = Pledge.objects.get(title="草稿")
    data = edit_ledger(exported, "草稿", 5, "改过的措施")
    result = run_pledge_import(file=SimpleUploadedFile("台账.xlsx", data))
    assert result.ok, text(result)
    assert [(p.pk, fields) for _n, p, fields in result.updated] == [(draft.pk, ["践诺措施"])]
    assert (result.unchanged, result.created) == (3, [])
    draft.refresh_from_db()
    assert (draft.measures, draft.edit_version) == ("改过的措施", 2)
    assert draft.events.filter(action="edit", actor=world.secretary).exists()


def test_it_refuses_an_edited_ledger_where_the_book_must_move_and_changes_nothing(
    world, exported, run_pledge_import
):
    data = edit_ledger(
        exported,
        "亮诺的",
        5,
        "改过的措施",
        [None, "东街社区党支部", "张三", "实事承诺", "台账里新加的", "措施", "效果", END],
    )
    before = list(Pledge.objects.values_list("id", "edit_version", "measures"))
    result = run_pledge_import(file=SimpleUploadedFile("台账.xlsx", data))
    assert not result.ok
    assert "“已亮诺”的承诺不能在台账中修改" in text(result)
    assert "没有编号：台账只能修改系统中已有的承诺，新增承诺请使用导入模板" in text(result)
    assert list(Pledge.objects.values_list("id", "edit_version", "measures")) == before


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        pytest.param(2, "王五", "应为“张三”：承诺人不能在台账中修改", id="member"),
        pytest.param(9, "已销号", "状态只能在系统中办理", id="status"),
        pytest.param(10, END, "销号日期只能在系统中办理销号时填写", id="closed_on"),
        pytest.param(11, "办好了", "兑现情况只能在系统中办理销号时填写", id="close_result"),
        pytest.param(13, 7, "这项承诺在导出台账之后已在系统中变动", id="stale_version"),
        pytest.param(12, "abc", "“abc” 不是有效的编号", id="bad_number"),
    ],
)
def test_it_refuses_a_ledger_edit_the_book_makes_by_its_own_moves(
    world, exported, run_pledge_import, column, value, message
):
    data = edit_ledger(exported, "草稿", column, value)
    if column == 13:  # a stale row shows itself only with an edit
        data = edit_ledger(data, "草稿", 5, "改过的措施")
    result = run_pledge_import(file=SimpleUploadedFile("台账.xlsx", data))
    assert not result.ok
    assert message in text(result), text(result)
    assert Pledge.objects.get(title="草稿").edit_version == 1


def test_it_refuses_another_branchs_ledger(world, run_pledge_import):
    out = io.BytesIO()
    ledger.write_pledge_ledger(
        out, user=world.other_secretary, org=world.other_branch, period=ledger.Period(YEAR)
    )
    result = run_pledge_import(file=SimpleUploadedFile("台账.xlsx", out.getvalue()))
    assert not result.ok
    assert "不是东街社区党支部的台账；只能在各党组织自己的页面导入其台账" in text(result)


def test_it_refuses_rather_than_overwrites_a_pledge_saved_while_it_checked(
    world, exported, run_pledge_import, monkeypatch
):
    draft = Pledge.objects.get(title="草稿")
    real = service.match_ledger

    def someone_saves_meanwhile(*args, **kwargs):
        real(*args, **kwargs)
        Pledge.objects.filter(pk=draft.pk).update(title="别人改的", edit_version=2)

    monkeypatch.setattr(service, "match_ledger", someone_saves_meanwhile)
    result = run_pledge_import(
        file=SimpleUploadedFile("台账.xlsx", edit_ledger(exported, "草稿", 5, "改过的措施"))
    )
    assert not result.ok and result.updated == []
    draft.refresh_from_db()
    assert (draft.title, draft.measures, draft.edit_version) == (
        "别人改的",
        "每月走访一次，联系水务站",
        2,
    )
