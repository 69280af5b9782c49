"""The roster import page and the template download, through the HTTP client."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from pledges.models import Member
from pledges.uploads.roster.shape import EXAMPLE_NAME
from tests.factories import MemberFactory

HEADER = ["姓名", "性别", "所在党组织", "党员类别", "预备党员", "联系电话", "身份证号", "登录账号"]


VALID_ID = "11010519491231002X"


def messages(result):
    return [str(e) for e in result.errors]


@pytest.mark.parametrize("who", ["stranger", "other_secretary", "far_office", "member_user"])
def test_it_refuses_people_outside_the_branch_on_the_page(
    client, world, who, roster_xlsx, roster_row
):
    client.force_login(getattr(world, who))
    url = f"/org/{world.branch.pk}/roster/"
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"file": roster_xlsx([roster_row("王五")])})
    assert response.status_code in (403, 404)
    assert client.get(url + "template.xlsx").status_code in (403, 404)
    assert not Member.objects.filter(name="王五").exists()


def test_it_lets_the_office_of_the_parent_import_into_its_branches(
    client, world, roster_xlsx, roster_row
):
    client.force_login(world.office)
    file = roster_xlsx(
        [roster_row("王五", org="东街社区党支部"), roster_row("赵六", org="西街社区党支部")]
    )
    response = client.post(f"/org/{world.town.pk}/roster/", {"file": file})
    assert response.status_code == 200
    assert "已导入 2 名党员" in response.content.decode()
    assert Member.objects.get(name="王五").organization == world.branch
    assert Member.objects.get(name="赵六").organization == world.other_branch


def test_it_shows_the_errors_on_the_page_and_writes_nothing(client, world, roster_xlsx, roster_row):
    client.force_login(world.secretary)
    file = roster_xlsx([roster_row("王五"), roster_row("赵六", kind="在职")])
    response = client.post(f"/org/{world.branch.pk}/roster/", {"file": file})
    body = response.content.decode()
    assert response.status_code == 200
    assert "未导入任何数据" in body
    assert "第 3 行 D 列（党员类别）：“在职” 不是有效的类别" in body
    assert not Member.objects.filter(name="王五").exists()


def test_it_shows_the_initial_passwords_once_and_is_not_cached(
    client, world, roster_xlsx, roster_row
):
    client.force_login(world.secretary)
    file = roster_xlsx([roster_row("王五", login="wangwu")])
    response = client.post(f"/org/{world.branch.pk}/roster/", {"file": file})
    body = response.content.decode()
    assert "已导入 1 名党员" in body
    assert "wangwu" in body
    assert "no-store" in response["Cache-Control"]


def test_it_serves_the_upload_form(client, world):
    client.force_login(world.secretary)
    response = client.get(f"/org/{world.branch.pk}/roster/")
    assert response.status_code == 200
    assert "下载导入模板" in response.content.decode()


def test_it_refuses_a_post_without_a_file(client, world):
    client.force_login(world.secretary)
    response = client.post(f"/org/{world.branch.pk}/roster/", {})
    assert response.status_code == 200
    assert "roster-result" not in response.content.decode()


def test_it_serves_a_template_with_dropdowns_that_imports_cleanly(client, world, run_import):
    client.force_login(world.secretary)
    response = client.get(f"/org/{world.branch.pk}/roster/template.xlsx")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''" in disposition
    assert "%E5%85%9A%E5%91%98" in disposition  # 党员
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet["A2"].value == EXAMPLE_NAME
    assert sheet.column_dimensions["A"].width > 5
    covered = " ".join(str(dv.sqref) for dv in sheet.data_validations.dataValidation)
    for letter in "BDE":
        assert f"{letter}2:{letter}" in covered
    # The untouched template is a valid, empty roster; with one row filled it imports.
    sheet.append(["王五", "男", "东街社区党支部", "在职党员", "否"])
    out = io.BytesIO()
    workbook.save(out)
    result = run_import(world, file=SimpleUploadedFile("t.xlsx", out.getvalue()))
    assert result.ok, messages(result)
    assert [m.name for m in result.created] == ["王五"]


def test_it_keeps_phone_and_id_off_the_branch_page(client, world):
    MemberFactory(organization=world.branch, name="王五", phone="13812345678", id_card=VALID_ID)
    for user in (world.secretary, world.member_user, world.leader):
        client.force_login(user)
        body = client.get(f"/org/{world.branch.pk}/").content.decode()
        assert "王五" in body
        assert "13812345678" not in body
        assert VALID_ID not in body


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(
    ("who", "url", "queries"),
    [
        pytest.param("secretary", "/org/{branch}/roster/", 6, id="the_roster_page"),
        pytest.param(
            "secretary", "/org/{branch}/roster/template.xlsx", 7, id="the_roster_template"
        ),
    ],
)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)
