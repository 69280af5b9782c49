import datetime
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from core.errors import TransitionError
from core.exports.models import ExportJob
from core.notifications.models import Notification
from core.periods import Period
from pledges.models import Position
from reviews.models import Filing, FilingEvent
from reviews.services import filing as services
from tests.factories import PledgeFactory, UserFactory, make_position

S = Filing.Status


@pytest.fixture
def file_it(django_capture_on_commit_callbacks):
    """`file_it(w, by=None)`: the branch files the half; the package is built (eager Celery)
    once the filing commits, and its notifications are delivered."""

    def run(w, by=None, org=None):
        with django_capture_on_commit_callbacks(execute=True):
            filing = services.filing_submit(
                organization=org or w.branch, period=w.period, by=by or w.secretary
            )
        filing.refresh_from_db()
        return filing

    return run


def _package(filing: Filing) -> zipfile.ZipFile:
    with filing.package.open("rb") as f:
        return zipfile.ZipFile(io.BytesIO(f.read()))


def _sheet_text(package: zipfile.ZipFile, name: str) -> str:
    sheet = load_workbook(io.BytesIO(package.read(name))).worksheets[0]
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)


def test_it_files_the_half_and_builds_its_package(filing_world, file_it):
    w = filing_world
    filing = file_it(w)
    assert (filing.status, filing.rounds, filing.filed_by) == (S.FILED, 1, w.secretary)
    assert filing.package and filing.package_built_at is not None
    assert filing.package_job.status == ExportJob.Status.DONE
    package = _package(filing)
    assert sorted(package.namelist()) == sorted(
        [
            "备案材料.pdf",
            "附件三 承诺践诺台账.xlsx",
            "附件四、五 点评情况登记表.xlsx",
            "附件六 群众评议情况统计表.xlsx",
            "整改台账.xlsx",
        ]
    )
    assert package.read("备案材料.pdf").startswith(b"%PDF")
    ledger = _sheet_text(package, "附件三 承诺践诺台账.xlsx")
    assert "修缮社区活动室" in ledger and "每月走访孤寡老人" in ledger
    assert "草稿不报送" not in ledger  # a draft is not yet on record
    assert "张三" in _sheet_text(package, "附件四、五 点评情况登记表.xlsx")
    assert "问题1" in _sheet_text(package, "整改台账.xlsx")
    assert w.branch.name in _sheet_text(package, "附件六 群众评议情况统计表.xlsx")


def test_it_keeps_only_the_branch_s_rows_in_the_package(filing_world, file_it):
    w = filing_world
    PledgeFactory(owner_member=w.other_member, status="published", title="别的支部的事")
    ledger = _sheet_text(_package(file_it(w)), "附件三 承诺践诺台账.xlsx")
    assert "别的支部的事" not in ledger


def test_it_writes_typed_markup_and_control_characters_into_the_pdf_as_text(filing_world, file_it):
    w = filing_world
    w.own_pledge.title = '<b>加粗</b><link href="x">链接</link> & <para>'
    # Control characters in stored text; not a NUL (forms refuse it, PostgreSQL stores none).
    w.own_pledge.measures = "第一行\r\n第二行\x07\x1b"
    w.own_pledge.save()
    assert _package(file_it(w)).read("备案材料.pdf").startswith(b"%PDF")


def test_it_refuses_a_second_filing_of_the_half(filing_world, file_it):
    w = filing_world
    file_it(w)
    with pytest.raises(TransitionError, match="已经报送备案"):
        services.filing_submit(organization=w.branch, period=w.period, by=w.secretary)
    assert Filing.objects.count() == 1


@pytest.mark.parametrize("who", ["office", "member_user", "other_secretary", "town_secretary"])
def test_it_lets_only_the_branch_secretary_file(filing_world, who):
    w = filing_world
    with pytest.raises(PermissionDenied):
        services.filing_submit(organization=w.branch, period=w.period, by=getattr(w, who))
    assert not Filing.objects.exists()


def test_it_refuses_a_half_not_yet_open(rworld):
    next_year = datetime.date.today().year + 1
    with pytest.raises(TransitionError, match="起才能报送"):
        services.filing_submit(
            organization=rworld.branch, period=Period(next_year, half=1), by=rworld.secretary
        )


def test_it_refuses_a_whole_year(filing_world):
    w = filing_world
    with pytest.raises(TransitionError, match="按半年"):
        services.filing_submit(organization=w.branch, period=Period(2026), by=w.secretary)


def test_it_receives_a_filing_and_tells_the_branch(
    filing_world, file_it, django_capture_on_commit_callbacks
):
    w = filing_world
    filing = file_it(w)
    assert Notification.objects.filter(recipient=w.office, kind="filing_filed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_receive(filing=filing, by=w.office)
    filing.refresh_from_db()
    assert (filing.status, filing.decided_by) == (S.RECEIVED, w.office)
    assert Notification.objects.filter(recipient=w.secretary, kind="filing_received").exists()
    with pytest.raises(TransitionError, match="只有已报送的备案"):
        services.filing_receive(filing=filing, by=w.office)


def test_it_tells_the_nearest_office_only(filing_world, file_it):
    w = filing_world
    county_office = UserFactory(username="county_office")
    make_position(county_office, w.county, Position.Kind.OFFICE)
    file_it(w)
    told = set(Notification.objects.filter(kind="filing_filed").values_list("recipient", flat=True))
    assert told == {w.office.pk}


def test_it_refuses_to_receive_before_the_package_is_built(filing_world):
    w = filing_world
    filing = services.filing_submit(organization=w.branch, period=w.period, by=w.secretary)
    with pytest.raises(TransitionError, match="尚未生成"):
        services.filing_receive(filing=filing, by=w.office)


@pytest.mark.parametrize("who", ["secretary", "town_secretary", "branch_leader", "far_office"])
def test_it_lets_only_an_office_above_receive_or_return(filing_world, file_it, who):
    w = filing_world
    filing = file_it(w)
    with pytest.raises(PermissionDenied):
        services.filing_receive(filing=filing, by=getattr(w, who))
    with pytest.raises(PermissionDenied):
        services.filing_return(filing=filing, by=getattr(w, who), reason="不全")


def test_it_returns_with_a_reason_and_the_branch_files_again(
    filing_world, file_it, django_capture_on_commit_callbacks
):
    w = filing_world
    first = file_it(w)
    first_package = first.package.name
    with pytest.raises(TransitionError, match="请填写退回原因"):
        services.filing_return(filing=first, by=w.office, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_return(filing=first, by=w.office, reason="缺少群众评议")
    first.refresh_from_db()
    assert (first.status, first.return_reason) == (S.RETURNED, "缺少群众评议")
    returned = Notification.objects.get(recipient=w.secretary, kind="filing_returned")
    assert "缺少群众评议" in returned.body
    again = file_it(w)
    assert (again.pk, again.status, again.rounds) == (first.pk, S.FILED, 2)
    assert again.package and again.package.name != first_package
    actions = list(FilingEvent.objects.filter(filing=again).values_list("action", flat=True))
    assert actions == ["file", "return", "file"]


def test_it_keeps_a_package_built_for_an_earlier_round_off_the_filing(filing_world, file_it):
    w = filing_world
    filing = file_it(w)
    old_job = filing.package_job_id
    services.filing_return(filing=filing, by=w.office, reason="重报")
    refiled = services.filing_submit(organization=w.branch, period=w.period, by=w.secretary)
    kept = services.filing_package_attach(
        filing_id=refiled.pk, job_id=old_job, data=io.BytesIO(b"old")
    )
    assert kept is False
    refiled.refresh_from_db()
    assert not refiled.package


def test_it_builds_again_after_the_build_failed(filing_world, file_it):
    w = filing_world
    filing = services.filing_submit(organization=w.branch, period=w.period, by=w.secretary)
    ExportJob.objects.filter(pk=filing.package_job_id).update(status=ExportJob.Status.FAILED)
    filing.refresh_from_db()
    rebuilt = services.filing_package_rebuild(filing=filing, by=w.secretary)
    assert rebuilt.package_job_id != ExportJob.objects.order_by("pk").first().pk
    with pytest.raises(TransitionError, match="正在生成"):
        services.filing_package_rebuild(filing=rebuilt, by=w.secretary)


# --- the filing reminder --------------------------------------------------------------------


def test_it_reminds_the_branches_that_have_not_filed_in_the_week_before_the_due_day(
    filing_world, file_it
):
    w = filing_world
    D = datetime.date
    due = D(2026, 7, 15)  # 2026H1
    assert services.filing_reminders(due - datetime.timedelta(days=8)) == []
    before = services.filing_reminders(D(2026, 7, 10))
    assert {i.recipient_id for i in before} == {w.secretary.pk, w.other_secretary.pk}
    assert {i.period for i in before} == {"2026H1"}
    assert services.filing_reminders(D(2026, 7, 16)) == []
    assert {i.period for i in services.filing_reminders(D(2027, 1, 9))} == {"2026H2"}


def test_it_stops_reminding_a_branch_that_filed_and_reminds_again_after_a_return(rworld):
    w = rworld
    filing = Filing.objects.create(
        organization=w.branch,
        year=2026,
        half=1,
        status=S.RECEIVED,
        filed_by=w.secretary,
        filed_at=datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC),
    )
    recipients = {i.recipient_id for i in services.filing_reminders(datetime.date(2026, 7, 10))}
    assert recipients == {w.other_secretary.pk}
    Filing.objects.filter(pk=filing.pk).update(status=S.RETURNED, return_reason="补材料")
    recipients = {i.recipient_id for i in services.filing_reminders(datetime.date(2026, 7, 10))}
    assert recipients == {w.secretary.pk, w.other_secretary.pk}
