"""Roster import through the service: reading, checking and writing a roster file."""

import io
import zipfile

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.security.models import PasswordChangeRequired, SecurityEvent
from pledges import tallies
from pledges.models import Member, Organization
from pledges.uploads.roster.checking import id_card_problem
from pledges.uploads.roster.shape import EXAMPLE_NAME
from tests.factories import MemberFactory, UserFactory, make_org

HEADER = ["姓名", "性别", "所在党组织", "党员类别", "预备党员", "联系电话", "身份证号", "登录账号"]


VALID_ID = "11010519491231002X"


def messages(result):
    return [str(e) for e in result.errors]


def assert_refused(world, result, *expected):
    assert not result.ok
    assert not result.created
    text = "\n".join(messages(result))
    for fragment in expected:
        assert fragment in text, text
    assert not Member.objects.filter(name__in=["王五", "赵六", "钱七"]).exists()


OUTSIDERS = ["stranger", "other_secretary", "far_office", "leader", "member_user"]


def test_it_imports_a_good_file(world, roster_row, run_import):
    before = Member.objects.count()
    result = run_import(
        world,
        [
            roster_row("王五", prob="是", phone="13800000001", id_card=VALID_ID, login="wangwu"),
            roster_row("赵六", gender="女", org="东街社区党支部", kind="离退休党员", prob="否"),
            roster_row("钱七", kind="农村无职党员", phone=13900000002),
        ],
    )
    assert result.ok, messages(result)
    assert len(result.created) == 3
    assert Member.objects.count() == before + 3
    wang = Member.objects.get(name="王五")
    assert wang.organization == world.branch
    assert wang.probationary is True
    assert wang.kind == Member.Kind.ON_DUTY
    assert wang.id_card == VALID_ID
    assert wang.phone == "13800000001"
    zhao = Member.objects.get(name="赵六")
    assert (zhao.gender, zhao.kind, zhao.probationary) == ("female", "retired", False)
    assert Member.objects.get(name="钱七").phone == "13900000002"


def test_it_writes_the_whole_file_in_one_transaction(
    world, django_assert_max_num_queries, run_import, roster_row
):
    rows = [roster_row(f"党员{i:03d}") for i in range(100)]
    # Reading, checking and writing 100 rows costs a handful of queries, not one per row
    # (four of them recount the branch's member counters: pledges.tallies.rebuild).
    with django_assert_max_num_queries(17):
        result = run_import(world, rows)
    assert result.ok, messages(result)
    assert Member.objects.filter(organization=world.branch).count() == 101


def test_it_records_who_imported(world, run_import, roster_row):
    result = run_import(world, [roster_row("王五")])
    entry = LogEntry.objects.get(object_id=str(result.created[0].pk))
    assert entry.user == world.secretary


def test_it_creates_a_login_with_a_one_time_initial_password(world, run_import, roster_row):
    result = run_import(world, [roster_row("王五", login="wangwu")])
    assert result.ok, messages(result)
    (login,) = result.logins
    user = get_user_model().objects.get(username="wangwu")
    assert user.check_password(login.password)
    assert login.password not in user.password
    assert Member.objects.get(name="王五").user == user


def test_it_skips_blank_rows_and_the_example_row(world, roster_row, run_import):
    result = run_import(world, [roster_row(EXAMPLE_NAME), [None] * 8, roster_row("王五")])
    assert result.ok, messages(result)
    assert [m.name for m in result.created] == ["王五"]


def test_it_finds_the_header_under_a_title_row_and_ignores_a_number_column(world, run_import):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["东街社区党支部党员名册"])
    sheet.append(["序号", "姓名", "性别", "党员类别"])
    sheet.append([1, "王五", "男", "流动党员"])
    out = io.BytesIO()
    workbook.save(out)
    result = run_import(world, file=SimpleUploadedFile("a.xlsx", out.getvalue()))
    assert result.ok, messages(result)
    assert Member.objects.get(name="王五").kind == Member.Kind.MOBILE


def test_it_only_checks_when_asked(world, run_import, roster_row):
    result = run_import(world, [roster_row("王五", login="wangwu")], check_only=True)
    assert result.ok and result.rows == 1
    assert not Member.objects.filter(name="王五").exists()
    assert not get_user_model().objects.filter(username="wangwu").exists()


def test_it_refuses_a_missing_name(world, roster_row, run_import):
    result = run_import(world, [roster_row("赵六"), roster_row("")])
    assert_refused(world, result, "第 3 行 A 列（姓名）：不能为空")


def test_it_refuses_an_unknown_kind(world, roster_row, run_import):
    result = run_import(world, [roster_row("王五"), roster_row("赵六", kind="在职")])
    assert_refused(
        world,
        result,
        "第 3 行 D 列（党员类别）：“在职” 不是有效的类别，应为：党员领导干部、在职党员、"
        "离退休党员、流动党员、农村无职党员",
    )


def test_it_refuses_a_bad_gender_and_probationary_flag(world, run_import, roster_row):
    result = run_import(world, [roster_row("王五", gender="M", prob="Y")])
    assert_refused(world, result, "第 2 行 B 列（性别）", "第 2 行 E 列（预备党员）")


def test_it_refuses_a_duplicate_name_in_the_file(world, roster_row, run_import):
    result = run_import(world, [roster_row("王五"), roster_row("赵六"), roster_row("王五")])
    assert_refused(
        world, result, "第 4 行 A 列（姓名）：“王五” 在东街社区党支部中重复（与第 2 行相同）"
    )


def test_it_refuses_a_duplicate_id_card_in_the_file(world, roster_row, run_import):
    result = run_import(
        world, [roster_row("王五", id_card=VALID_ID), roster_row("赵六", id_card=VALID_ID.lower())]
    )
    assert_refused(world, result, "第 3 行 G 列（身份证号）：与第 2 行的身份证号重复")


def test_it_refuses_a_member_who_already_exists(world, roster_row, run_import):
    result = run_import(world, [roster_row("王五"), roster_row("张三")])
    assert_refused(world, result, "第 3 行 A 列（姓名）：东街社区党支部已存在名为“张三”的党员")


def test_it_refuses_an_id_card_already_on_file(world, run_import, roster_row):
    MemberFactory(organization=world.other_branch, id_card=VALID_ID)
    result = run_import(world, [roster_row("王五", id_card=VALID_ID)])
    assert_refused(world, result, "第 2 行 G 列（身份证号）：该身份证号已登记在其他党员名下")


@pytest.mark.parametrize(
    "value, problem",
    [
        ("110105194912310021", "校验位不正确"),
        ("11010519491331002X", "出生日期部分无效"),
        ("1101051949123100", "应为 18 位"),
    ],
)
def test_it_refuses_a_malformed_id_card(world, value, problem, run_import, roster_row):
    result = run_import(world, [roster_row("王五", id_card=value)])
    assert_refused(world, result, "第 2 行 G 列（身份证号）", problem)


def test_it_refuses_an_id_card_typed_as_a_number(world, run_import, roster_row):
    result = run_import(world, [roster_row("王五", id_card=110105194912310020)])
    assert_refused(world, result, "第 2 行 G 列（身份证号）：请将身份证号设置为文本格式")


def test_it_refuses_an_organization_outside_the_uploaders_scope(world, run_import, roster_row):
    result = run_import(world, [roster_row("王五", org="西街社区党支部")])
    assert_refused(
        world, result, "第 2 行 C 列（所在党组织）：“西街社区党支部” 不是东街社区党支部下属的党组织"
    )


def test_it_refuses_to_put_members_directly_into_a_committee(world, run_import, roster_row):
    result = run_import(world, [roster_row("王五")], by=world.office, org=world.town)
    assert_refused(world, result, "第 2 行 C 列（所在党组织）：“城关镇党委” 不是党支部或党小组")


def test_it_refuses_a_login_that_is_taken(world, run_import, roster_row):
    UserFactory(username="WangWu")
    result = run_import(world, [roster_row("王五", login="wangwu")])
    assert_refused(world, result, "第 2 行 H 列（登录账号）：“wangwu” 已被占用")
    assert not get_user_model().objects.filter(username="wangwu").exists()


def test_it_refuses_a_login_twice_in_the_file_and_a_bad_one(world, roster_row, run_import):
    rows = [
        roster_row("王五", login="ww"),
        roster_row("赵六", login="ww"),
        roster_row("钱七", login="a b"),
    ]
    assert_refused(
        world,
        run_import(world, rows),
        "第 3 行 H 列（登录账号）：与第 2 行的登录账号重复",
        "第 4 行 H 列（登录账号）",
    )


def test_it_refuses_too_many_logins(world, monkeypatch, roster_row, run_import):
    monkeypatch.setattr("pledges.services.roster.MAX_LOGINS", 1)
    result = run_import(world, [roster_row("王五", login="a1"), roster_row("赵六", login="a2")])
    assert_refused(world, result, "最多为 1 人创建登录账号")


def test_it_lists_every_bad_row_not_just_the_first(world, roster_row, run_import):
    result = run_import(
        world, [roster_row(""), roster_row("王五", kind="x"), roster_row("赵六", gender="")]
    )
    assert len(result.errors) == 3
    assert [e.row for e in result.errors] == [2, 3, 4]


def test_it_refuses_a_file_that_is_not_xlsx(world, run_import):
    file = SimpleUploadedFile("名册.xlsx", "姓名,性别\n王五,男\n".encode())
    assert_refused(world, run_import(world, file=file), "不是有效的 .xlsx 表格")


def test_it_refuses_an_old_xls_file(world, run_import):
    file = SimpleUploadedFile("名册.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    assert_refused(world, run_import(world, file=file), "旧版 .xls")


def test_it_refuses_a_corrupt_xlsx(world, roster_xlsx, run_import, roster_row):
    good = roster_xlsx([roster_row("王五")]).read()
    corrupt = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as src,
        zipfile.ZipFile(corrupt, "w") as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(info, data)
    file = SimpleUploadedFile("名册.xlsx", corrupt.getvalue())
    assert_refused(world, run_import(world, file=file), "文件可能已损坏")


def test_it_refuses_a_truncated_zip(world, roster_xlsx, run_import, roster_row):
    good = roster_xlsx([roster_row("王五")]).read()
    file = SimpleUploadedFile("名册.xlsx", good[: len(good) // 2])
    assert_refused(world, run_import(world, file=file), "不是有效的 .xlsx 表格")


def test_it_refuses_an_empty_file(world, run_import):
    assert_refused(world, run_import(world, file=SimpleUploadedFile("a.xlsx", b"")), "文件是空的")


def test_it_refuses_an_empty_sheet(world, roster_xlsx, run_import):
    assert_refused(world, run_import(world, file=roster_xlsx([], header=None)), "未找到表头行")


def test_it_refuses_a_sheet_with_a_header_only(world, roster_xlsx, run_import):
    assert_refused(world, run_import(world, file=roster_xlsx([])), "表格中没有党员数据")


def test_it_refuses_unknown_and_missing_headers(world, roster_xlsx, run_import):
    file = roster_xlsx([["王五", "男", "x"]], header=["姓名", "性别", "身分证号"])
    assert_refused(
        world,
        run_import(world, file=file),
        "第 1 行：C 列的表头“身分证号”无法识别",
        "第 1 行：缺少表头“党员类别”",
    )


def test_it_refuses_too_many_rows(world, monkeypatch, roster_row, run_import):
    monkeypatch.setattr("pledges.services.roster.MAX_ROWS", 2)
    result = run_import(world, [roster_row("王五"), roster_row("赵六"), roster_row("钱七")])
    assert_refused(world, result, "第 4 行：一个文件最多导入 2 名党员")


def test_it_refuses_a_file_too_large(world, monkeypatch, run_import, roster_row):
    monkeypatch.setattr("pledges.uploads.roster.reading.MAX_BYTES", 100)
    assert_refused(world, run_import(world, [roster_row("王五")]), "文件超过")


def test_it_refuses_a_zip_that_unpacks_too_large(world, monkeypatch, run_import, roster_row):
    monkeypatch.setattr("pledges.uploads.roster.reading.MAX_UNPACKED_BYTES", 1000)
    assert_refused(world, run_import(world, [roster_row("王五")]), "表格内容过大")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_it_refuses_people_outside_the_branch_in_the_service(world, who, run_import, roster_row):
    with pytest.raises(PermissionDenied):
        run_import(world, [roster_row("王五")], by=getattr(world, who))
    assert not Member.objects.filter(name="王五").exists()


def test_it_refuses_an_ambiguous_organization_name(world, run_import, roster_row):
    make_org("第一党小组", world.branch, level=Organization.Level.GROUP)
    make_org("第一党小组", world.other_branch, level=Organization.Level.GROUP)
    result = run_import(
        world, [roster_row("王五", org="第一党小组")], by=world.office, org=world.town
    )
    assert_refused(world, result, "有 2 个名为“第一党小组”的党组织")


def test_it_checks_id_card_numbers():
    assert id_card_problem(VALID_ID) is None
    assert id_card_problem("110105194912310021") is not None


def test_it_refuses_a_formula_cell_and_names_only_the_formula(world, run_import, roster_row):
    result = run_import(world, [roster_row("王五", gender='=IF(1,"男","女")')])
    assert_refused(world, result, "第 2 行 B 列（性别）：不能使用公式")
    assert len(result.errors) == 1


def test_it_counts_the_imported_members_in_the_counters(world, roster_row, run_import):
    result = run_import(world, [roster_row("王五")])
    assert result.ok, messages(result)
    assert tallies.differences() == {}


def test_it_flags_imported_logins_and_logs_the_import(world, roster_row, run_import):
    result = run_import(world, [roster_row("王五", login="wangwu")])
    assert result.ok, messages(result)
    user = get_user_model().objects.get(username="wangwu")
    assert PasswordChangeRequired.objects.filter(user=user).exists()
    assert SecurityEvent.objects.filter(action="import", org_path=world.branch.path).exists()
