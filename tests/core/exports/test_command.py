"""`manage.py export_ledger`: the registered export built from the command line."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from pledges.models import Pledge
from tests.factories import PledgeFactory, UserFactory


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("export_ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_writes_a_registered_kind_with_a_progress_bar(alice, fake, tmp_path):
    target = tmp_path / "east.xlsx"
    out, err = run(
        "fake", "--org", "east", "--period", "x", "--out", str(target), "--user", "alice"
    )
    sheet = load_workbook(target).worksheets[0]
    assert sheet["A1"].value == "east 测试台账"
    assert [r[1] for r in sheet.iter_rows(min_row=3, values_only=True)] == [
        "事项0",
        "事项1",
        "事项2",
    ]
    assert "[" + "#" * 30 + "] 100% 3/3" in err
    assert "3 行" in out and str(target) in out


def test_it_refuses_a_user_who_may_not_export_it(stranger, fake, tmp_path):
    target = tmp_path / "east.xlsx"
    with pytest.raises(CommandError, match="无权导出"):
        run("fake", "--org", "east", "--period", "x", "--out", str(target), "--user", "stranger")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nothing", "--org", "east"], "没有这种导出"),
        (["fake", "--org", "north", "--user", "alice"], "没有这个组织"),
        (["fake", "--org", "east", "--user", "nobody"], "没有这个用户"),
    ],
)
def test_it_says_what_is_wrong(alice, fake, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, "--period", "2026", "--out", str(tmp_path / "x.xlsx"))


def test_it_leaves_no_half_file_when_the_build_fails(alice, fake, tmp_path):
    fake.fail_with = RuntimeError("boom")
    with pytest.raises(RuntimeError):
        run(
            "fake",
            "--org",
            "east",
            "--period",
            "x",
            "--out",
            str(tmp_path / "x.xlsx"),
            "--user",
            "alice",
        )
    assert list(tmp_path.iterdir()) == []


def test_it_exports_a_domain_ledger_as_the_first_superuser(world, tmp_path):
    UserFactory(username="root", is_superuser=True)
    year = datetime.date.today().year
    PledgeFactory(
        owner_member=world.member,
        title="帮扶两户困难户",
        status=Pledge.Status.IN_PROGRESS,
        year=year,
        created_by=world.secretary,
    )
    target = tmp_path / "ledger.xlsx"
    run("pledges", "--org", str(world.town.pk), "--period", str(year), "--out", str(target))
    sheet = load_workbook(target).worksheets[0]
    assert sheet["A1"].value == f"城关镇党委 {year}年度承诺践诺台账"
    assert sheet["E3"].value == "帮扶两户困难户"


def test_it_refuses_a_period_the_ledger_does_not_take(world, tmp_path):
    UserFactory(username="root", is_superuser=True)
    with pytest.raises(CommandError, match="按年度导出"):
        run(
            "pledges",
            "--org",
            str(world.town.pk),
            "--period",
            "2026Q3",
            "--out",
            str(tmp_path / "x"),
        )
