"""年度总评结果 (reviews/ledgers/assessment.py), exported from the year page's button."""

import pytest
from django.utils import timezone

from reviews.models import AnnualAssessment, DutyReportTally
from tests.factories import rate_month, submitted_duty_report

YEAR = timezone.localdate().year


@pytest.fixture
def graded(world):
    w = world
    for org, grade, exemplary in ((w.branch, "good", True), (w.other_branch, "average", False)):
        AnnualAssessment.objects.create(
            year=YEAR,
            organization=org,
            grade=grade,
            exemplary=exemplary,
            remark=f"{org.name}备注",
            decided_by=w.office,
        )
    return w


def test_it_lists_the_organization_its_children_and_grades(export_ledger, graded):
    w = graded
    rows = export_ledger(w.office, "grades", w.town, YEAR).rows
    assert rows[0][0] == f"城关镇党委 {YEAR}年度总评结果"
    assert rows[1][:3] == ["序号", "对象", "类别"]
    assert rows[1][-3:] == ["总评等次", "评先评优", "备注"]
    by_name = {r[1]: r for r in rows[2:-1]}
    assert set(by_name) == {"城关镇党委", "东街社区党支部", "西街社区党支部"}
    assert by_name["东街社区党支部"][-3:] == ["好", "是", "东街社区党支部备注"]
    assert by_name["西街社区党支部"][-3:] == ["一般", None, "西街社区党支部备注"]
    assert by_name["城关镇党委"][2] == "党组织"
    assert rows[-1][:3] == ["合计", "共 3 个对象", "好 1，一般 1"]


def test_it_lets_a_secretary_export_his_branch(export_ledger, graded):
    rows = export_ledger(graded.secretary, "grades", graded.branch, YEAR).rows
    assert [r[1] for r in rows[2:-1]] == ["东街社区党支部", "张三"]


@pytest.mark.parametrize("who", ["stranger", "other_secretary", "far_office", "member_user"])
def test_it_refuses_anyone_outside_with_a_404(export_ledger, graded, who):
    exported = export_ledger(getattr(graded, who), "grades", graded.branch, YEAR)
    assert exported.response.status_code == 404 and exported.job is None


def test_it_lists_each_subject_s_monthly_standing_and_duty_report_tally(export_ledger, graded):
    w = graded
    rate_month(w, {w.member: ["good", "good", "good"]}, publish=True)
    report = submitted_duty_report(w)
    DutyReportTally.objects.create(
        report=report, audience="committee", held_on=timezone.localdate(), good=9, poor=1
    )
    rows = export_ledger(w.secretary, "grades", w.branch, YEAR).rows
    assert rows[1][-5:-3] == ["每月评比", "述职测评（好/较好/一般/差）"]
    by_name = {r[1]: r for r in rows[2:-1]}
    assert by_name["张三"][-5] == "好×1"
    assert by_name["东街社区党支部"][-4] == "向上级党组织述职 9/0/0/1"
