"""The 导入承诺 page and its template download, through the HTTP client."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from pledges.ledgers import pledge as ledger
from pledges.models import Pledge
from pledges.uploads.pledge_import.shape import EXAMPLE_TITLE
from tests.factories import PledgeFactory

YEAR = timezone.localdate().year
HEADER = ["承诺人", "类别", "承诺事项", "践诺措施", "完成时限", "预期效果"]


@pytest.mark.parametrize(
    "who", ["stranger", "other_secretary", "far_office", "member_user", "leader"]
)
def test_it_refuses_people_outside_the_branch(client, world, who, pledge_xlsx, pledge_row):
    client.force_login(getattr(world, who))
    url = f"/org/{world.branch.pk}/import/"
    assert client.get(url).status_code in (403, 404)
    response = client.post(url, {"file": pledge_xlsx([pledge_row()]), "year": YEAR, "half": 0})
    assert response.status_code in (403, 404)
    assert client.get(url + "template.xlsx").status_code in (403, 404)
    assert not Pledge.objects.exists()


def test_it_sends_anonymous_visitors_to_log_in(client, world):
    response = client.get(f"/org/{world.branch.pk}/import/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_it_imports_a_good_file_and_says_so(client, world, pledge_xlsx, pledge_row):
    client.force_login(world.secretary)
    file = pledge_xlsx([pledge_row(), pledge_row("东街社区党支部", title="修缮活动室")])
    response = client.post(
        f"/org/{world.branch.pk}/import/", {"file": file, "year": YEAR, "half": 0}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "已导入 2 项承诺，均为草稿" in body
    assert set(Pledge.objects.values_list("status", flat=True)) == {"draft"}


def test_it_shows_the_errors_on_the_page_and_writes_nothing(client, world, pledge_xlsx, pledge_row):
    client.force_login(world.secretary)
    file = pledge_xlsx([pledge_row(), pledge_row("王五")])
    response = client.post(
        f"/org/{world.branch.pk}/import/", {"file": file, "year": YEAR, "half": 0}
    )
    body = response.content.decode()
    assert "未导入任何数据" in body
    assert "第 4 行 A 列（承诺人）：“王五” 不是东街社区党支部的党员" in body
    assert not Pledge.objects.exists()


def test_it_only_checks_when_asked(client, world, pledge_xlsx, pledge_row):
    client.force_login(world.secretary)
    response = client.post(
        f"/org/{world.branch.pk}/import/",
        {"file": pledge_xlsx([pledge_row()]), "year": YEAR, "half": 0, "check_only": "on"},
    )
    assert "检查通过：将新增 1 项承诺" in response.content.decode()
    assert not Pledge.objects.exists()


def test_it_says_the_exported_ledger_changes_nothing(client, world, pledge_in, export_ledger):
    pledge_in("published", world, deadline=datetime.date(YEAR, 12, 31))
    job = export_ledger(world.secretary, "pledges", world.branch, YEAR).job
    with job.file.open("rb") as f:
        exported = f.read()
    response = client.post(
        f"/org/{world.branch.pk}/import/",
        {"file": SimpleUploadedFile("台账.xlsx", exported), "year": YEAR, "half": 0},
    )
    body = response.content.decode()
    assert "文件中的 1 项承诺与系统中已有的完全一致，没有任何更改" in body
    assert "承诺践诺台账" in body
    assert Pledge.objects.count() == 1


def test_it_refuses_a_post_without_a_file(client, world):
    client.force_login(world.secretary)
    response = client.post(f"/org/{world.branch.pk}/import/", {"year": YEAR, "half": 0})
    assert response.status_code == 200
    assert "import-result" not in response.content.decode()


def test_it_is_linked_from_the_branch_and_entry_pages(client, world):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/import/"
    assert url in client.get(f"/org/{world.branch.pk}/").content.decode()
    assert url in client.get(f"/org/{world.branch.pk}/entry/").content.decode()
    client.force_login(world.member_user)
    assert url not in client.get(f"/org/{world.branch.pk}/").content.decode()


def test_it_serves_a_template_with_dropdowns_that_imports_cleanly(client, world, run_pledge_import):
    client.force_login(world.secretary)
    response = client.get(f"/org/{world.branch.pk}/import/template.xlsx?year={YEAR}&half=2")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    assert sheet["A1"].value == f"东街社区党支部 {YEAR}年度下半年承诺导入模板"
    assert [c.value for c in sheet[2]] == HEADER
    assert sheet["C3"].value == EXAMPLE_TITLE
    lists = workbook.worksheets[1]
    assert [c.value for c in lists["A"] if c.value] == ["承诺人", "东街社区党支部", "张三"]
    assert [c.value for c in lists["B"]][1:] == ["服务承诺", "实事承诺", "改正缺点"]
    rules = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    assert set(rules) == {"A3", "B3", "E3"}
    assert rules["E3"].type == "date"
    assert rules["E3"].formula1 == f"DATE({YEAR},7,1)"
    # The untouched template is an empty file; with one row filled in it imports.
    sheet.append(["张三", "实事承诺", "修路", "筹资", datetime.date(YEAR, 9, 1), "路通"])
    out = io.BytesIO()
    workbook.save(out)
    file = SimpleUploadedFile("t.xlsx", out.getvalue())
    result = run_pledge_import(file=file, half=Pledge.Half.SECOND)
    assert result.ok, [str(e) for e in result.errors]
    assert [p.title for p in result.created] == ["修路"]


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(
    ("who", "url", "queries"),
    [
        pytest.param("secretary", "/org/{branch}/import/", 6, id="the_import_page"),
        pytest.param("office", "/org/{branch}/import/", 6, id="the_import_page_for_the_office"),
        pytest.param(
            "secretary", "/org/{branch}/import/template.xlsx", 8, id="the_import_template"
        ),
    ],
)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


@pytest.mark.parametrize("rows", [1, 40])
def test_it_checks_a_file_in_a_fixed_number_of_queries(
    client, world, pledge_xlsx, pledge_row, django_assert_num_queries, rows
):
    client.force_login(world.secretary)
    lines = [pledge_row(title=f"承诺{i}") for i in range(rows)]
    data = {"file": pledge_xlsx(lines), "year": YEAR, "half": 0, "check_only": "on"}
    # The same for 1 row and 40: the 党小组, the members and the book are read once for the
    # whole file.
    with django_assert_num_queries(13):
        response = client.post(f"/org/{world.branch.pk}/import/", data)
    assert "检查通过" in response.content.decode()


def _ledger(world, edit=None) -> SimpleUploadedFile:
    """The branch's ledger as its secretary exports it; `edit` (title, column, value) changes
    one cell."""
    out = io.BytesIO()
    ledger.write_pledge_ledger(
        out, user=world.secretary, org=world.branch, period=ledger.Period(YEAR)
    )
    workbook = load_workbook(io.BytesIO(out.getvalue()))
    for row in workbook.active.iter_rows(min_row=3):
        if edit and row[4].value == edit[0]:
            row[edit[1]].value = edit[2]
    data = io.BytesIO()
    workbook.save(data)
    return SimpleUploadedFile("台账.xlsx", data.getvalue())


def test_it_takes_back_an_edited_ledger_and_says_what_changed(client, world):
    PledgeFactory.create_batch(2, owner_org=world.branch, created_by=world.secretary)
    draft = PledgeFactory(owner_org=world.branch, title="修缮活动室", created_by=world.secretary)
    client.force_login(world.secretary)
    file = _ledger(world, ("修缮活动室", 5, "请施工队修缮"))
    response = client.post(
        f"/org/{world.branch.pk}/import/", {"file": file, "year": YEAR, "half": 0}
    )
    body = response.content.decode()
    assert "已按台账修改 1 项承诺（见下），2 项与系统中一致、未作更改" in body
    assert "第 5 行“修缮活动室”：践诺措施" in body
    draft.refresh_from_db()
    assert draft.measures == "请施工队修缮"


@pytest.mark.parametrize("rows", [1, 40])
def test_it_checks_a_ledger_in_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, rows
):
    PledgeFactory.create_batch(rows, owner_org=world.branch, created_by=world.secretary)
    PledgeFactory(owner_org=world.branch, title="修缮活动室", created_by=world.secretary)
    client.force_login(world.secretary)
    file = _ledger(world, ("修缮活动室", 5, "请施工队修缮"))
    data = {"file": file, "year": YEAR, "half": 0, "check_only": "on"}
    # The same for 1 row and 40: the rows' pledges are read in one query.
    with django_assert_num_queries(13):
        response = client.post(f"/org/{world.branch.pk}/import/", data)
    assert "检查通过：将按台账修改 1 项承诺" in response.content.decode()
