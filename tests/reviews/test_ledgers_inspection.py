"""The inspection's Excel files: results by branch and the 整改通知书台账, started from the pages'
export buttons; typed text stays text."""

import datetime

from django.utils import timezone

from reviews.models import InspectionNotice
from reviews.services import inspection as services
from tests.factories import issue_inspection_notice


def _period(w) -> str:
    return w.inspection.period_code


def test_it_exports_each_branch_s_result_with_the_items_not_met(inspected, export_ledger):
    w = inspected
    keys = [i["key"] for i in w.inspection.checklist]
    services.inspection_target_check(
        target=w.other_target,
        by=w.office,
        answers={k: k != "ledger_kept" for k in keys},
        remark='=HYPERLINK("http://x")',
        version=w.other_target.edit_version,
    )
    rows = export_ledger(w.office, "inspection_results", w.town, _period(w)).rows
    assert rows[0][0].startswith("城关镇党委") and rows[0][0].endswith("检查结果")
    assert rows[1][:6] == ["序号", "检查", "检查方式", "党支部", "检查结果", "未达标项目"]
    by_branch = {r[3]: r for r in rows[2:]}
    assert by_branch["西街社区党支部"][4:7] == [
        "发现问题",
        "台账是否规范",
        '=HYPERLINK("http://x")',
    ]
    assert by_branch["东街社区党支部"][4] == "发现问题"  # the notice marked it


def test_it_exports_the_notice_ledger_with_overdue_marked(inspected, export_ledger):
    w = inspected
    late = issue_inspection_notice(w.office, w.other_target, problems="=1+1")
    InspectionNotice.objects.filter(pk=late.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=2)
    )
    services.inspection_notice_answer(notice=w.inspection_notice, by=w.secretary, answer="已公开")
    services.inspection_notice_recheck(
        notice=w.inspection_notice, by=w.office, passed=True, remark="到位"
    )
    exported = export_ledger(w.office, "inspection_notices", w.town, _period(w))
    rows = exported.rows
    assert rows[1][:3] == ["序号", "编号", "党支部"]
    by_number = {r[1]: r for r in rows[2:]}
    first = by_number[w.inspection_notice.number]
    assert first[7:10] == ["复验通过", "已公开", "到位"]
    second = by_number[late.number]
    assert second[3] == "=1+1" and second[7] == "待整改"
    sheet = exported.sheet
    status_cell = next(r for r in sheet.iter_rows(min_row=3) if r[1].value == late.number)[7]
    assert status_cell.font.color is not None and status_cell.font.b


def test_it_refuses_the_export_to_a_secretary_and_a_far_office(inspected, export_ledger):
    w = inspected
    for who in (w.secretary, w.far_office):
        assert export_ledger(who, "inspection_notices", w.town, _period(w)).job is None
