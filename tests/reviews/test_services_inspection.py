"""Inspections: a round over the branches (or a drawn sample), the checklist, the result, the
整改通知书, its answer with evidence and the 复验."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.errors import TransitionError
from core.notifications.models import Notification
from core.versions import StaleEdit
from reviews.models import InspectionNotice, InspectionRound, InspectionTarget
from reviews.services import inspection as services
from tests.factories import issue_inspection_notice, make_org, open_inspection

Status = InspectionNotice.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_it_opens_a_half_yearly_check_over_every_branch_of_the_subtree(world):
    inspection = open_inspection(world.office, world.town)
    assert inspection.kind == InspectionRound.Kind.REGULAR and inspection.seed is None
    assert set(inspection.targets.values_list("organization_id", flat=True)) == {
        world.branch.pk,
        world.other_branch.pk,
    }
    assert [i["key"] for i in inspection.checklist][:2] == ["pledges_public", "ledger_kept"]
    assert "半年定期检查" in inspection.title


def test_it_refuses_a_second_half_yearly_check_of_the_same_half(world):
    open_inspection(world.office, world.town)
    with pytest.raises(TransitionError, match="已经发起"):
        open_inspection(world.office, world.town)


def test_it_draws_a_reproducible_recorded_sample_for_a_spot_check(world):
    for i in range(8):
        make_org(f"抽查支部{i}", world.town)
    spot = open_inspection(world.office, world.town, kind="spot", sample_size=3, seed=42)
    drawn = sorted(spot.targets.values_list("organization_id", flat=True))
    assert spot.seed == 42 and spot.sample_size == 3 and len(drawn) == 3
    again = services.draw_sample(services.branches_under(world.town), 3, 42)
    assert drawn == again
    # The system draws a seed itself when none is given, and records it.
    other = open_inspection(world.office, world.town, kind="spot", sample_size=2)
    assert other.seed is not None and other.targets.count() == 2


@pytest.mark.parametrize("size", [None, 0, 3])
def test_it_refuses_a_sample_larger_than_the_branches_or_none(world, size):
    with pytest.raises(TransitionError, match="抽查数量"):
        open_inspection(world.office, world.town, kind="spot", sample_size=size)
    assert not InspectionRound.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "leader", "far_office", "stranger"])
def test_it_lets_only_the_office_of_the_subtree_open_a_round(world, who):
    with pytest.raises(PermissionDenied):
        open_inspection(getattr(world, who), world.town)


def test_it_edits_the_checklist_with_the_office_s_own_items(world):
    inspection = open_inspection(world.office, world.town)
    services.inspection_checklist_edit(
        inspection=inspection,
        by=world.office,
        keys=["pledges_public", "evaluation_30"],
        extra=["三会一课记录是否齐全", ""],
        version=inspection.edit_version,
    )
    inspection.refresh_from_db()
    assert [i["key"] for i in inspection.checklist] == ["pledges_public", "evaluation_30", "c1"]
    assert inspection.checklist[2]["label"] == "三会一课记录是否齐全"


def test_it_refuses_a_stale_or_empty_checklist(world):
    inspection = open_inspection(world.office, world.town)
    with pytest.raises(TransitionError, match="至少"):
        services.inspection_checklist_edit(
            inspection=inspection, by=world.office, keys=[], extra=[], version=1
        )
    with pytest.raises(StaleEdit):
        services.inspection_checklist_edit(
            inspection=inspection, by=world.office, keys=["ledger_kept"], extra=[], version=None
        )


def test_it_records_the_confirmed_checklist_and_the_result(world):
    inspection = open_inspection(world.office, world.town)
    target = inspection.targets.get(organization=world.branch)
    all_met = {i["key"]: True for i in inspection.checklist}
    services.inspection_target_check(
        target=target, by=world.office, answers=all_met, version=target.edit_version
    )
    assert target.status == InspectionTarget.Status.PASSED and target.checked_by == world.office
    services.inspection_target_check(
        target=target,
        by=world.office,
        answers={**all_met, "ledger_kept": False},
        remark="台账缺三月记实",
        version=target.edit_version,
    )
    target.refresh_from_db()
    assert target.status == InspectionTarget.Status.FINDINGS
    assert target.answers["ledger_kept"] is False and target.remark == "台账缺三月记实"


def test_it_numbers_notices_per_committee_and_year(inspected):
    w = inspected
    second = issue_inspection_notice(w.office, w.other_target, problems="台账不规范")
    year = timezone.localdate().year
    assert (w.inspection_notice.number, second.number) == (f"{year}-001", f"{year}-002")
    assert w.inspection_notice.committee == w.town
    w.target.refresh_from_db()
    assert w.target.status == InspectionTarget.Status.FINDINGS


def test_it_refuses_the_same_notice_twice_and_a_past_deadline(inspected):
    w = inspected
    with pytest.raises(TransitionError, match="同一问题"):
        issue_inspection_notice(w.office, w.target)
    with pytest.raises(TransitionError, match="晚于今天"):
        issue_inspection_notice(w.office, w.target, problems="其他问题", days=0)
    assert InspectionNotice.objects.count() == 1


def test_it_tells_the_branch_secretary_of_a_notice(world, django_capture_on_commit_callbacks):
    inspection = open_inspection(world.office, world.town)
    target = inspection.targets.get(organization=world.branch)
    with django_capture_on_commit_callbacks(execute=True):
        notice = issue_inspection_notice(world.office, target)
    told = Notification.objects.get(recipient=world.secretary)
    assert told.kind == "inspection_notice_issued" and notice.number in told.title


def test_it_takes_the_branch_s_answer_with_evidence_and_tells_the_office(
    inspected, django_capture_on_commit_callbacks
):
    w = inspected
    notice = w.inspection_notice
    upload = SimpleUploadedFile("公开栏.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_notice_answer(
            notice=notice, by=w.secretary, answer="已在公开栏补充公开", files=[upload]
        )
    assert notice.status == Status.ANSWERED and notice.answered_by == w.secretary
    assert notice.evidence.get().content_type == "application/pdf"
    assert Notification.objects.filter(
        recipient=w.office, kind="inspection_notice_answered"
    ).exists()


def test_it_refuses_an_answer_from_anyone_but_the_branch_secretary(inspected):
    w = inspected
    for who in (w.office, w.other_secretary, w.member_user):
        with pytest.raises(PermissionDenied):
            services.inspection_notice_answer(notice=w.inspection_notice, by=who, answer="已整改")


def test_it_refuses_a_bad_file_and_keeps_the_notice(inspected):
    w = inspected
    bad = SimpleUploadedFile("x.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(TransitionError):
        services.inspection_notice_answer(
            notice=w.inspection_notice, by=w.secretary, answer="已整改", files=[bad]
        )
    w.inspection_notice.refresh_from_db()
    assert w.inspection_notice.status == Status.ISSUED


def test_it_sends_a_notice_back_then_passes_it_each_step_dated(
    inspected, django_capture_on_commit_callbacks
):
    w = inspected
    notice = w.inspection_notice
    services.inspection_notice_answer(notice=notice, by=w.secretary, answer="已整改")
    with pytest.raises(TransitionError, match="原因"):
        services.inspection_notice_recheck(notice=notice, by=w.office, passed=False)
    new_deadline = timezone.localdate() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_notice_recheck(
            notice=notice, by=w.office, passed=False, remark="佐证不足", deadline=new_deadline
        )
    assert notice.status == Status.RETURNED and notice.deadline == new_deadline
    back = Notification.objects.get(recipient=w.secretary, kind="inspection_notice_rechecked")
    assert "未通过" in back.title
    services.inspection_notice_answer(notice=notice, by=w.secretary, answer="已补充照片")
    services.inspection_notice_recheck(notice=notice, by=w.office, passed=True, remark="合格")
    assert notice.status == Status.PASSED and notice.rechecked_by == w.office
    actions = list(notice.events.values_list("action", flat=True))
    assert actions == ["issue", "answer", "return", "answer", "pass"]
    assert all(notice.events.values_list("at", flat=True))


def test_it_refuses_a_recheck_before_the_answer_and_by_another_office(inspected):
    w = inspected
    with pytest.raises(TransitionError, match="报告整改情况后"):
        services.inspection_notice_recheck(notice=w.inspection_notice, by=w.office, passed=True)
    services.inspection_notice_answer(notice=w.inspection_notice, by=w.secretary, answer="已整改")
    with pytest.raises(PermissionDenied):
        services.inspection_notice_recheck(notice=w.inspection_notice, by=w.far_office, passed=True)


def _check_all(inspection, office):
    for target in inspection.targets.filter(status=InspectionTarget.Status.PENDING):
        services.inspection_target_check(
            target=target, by=office, answers={}, version=target.edit_version
        )


def test_it_closes_a_round_once_every_branch_is_checked_and_records_who(inspected):
    w = inspected
    _check_all(w.inspection, w.office)
    services.inspection_round_close(
        inspection=w.inspection, by=w.office, version=w.inspection.edit_version
    )
    w.inspection.refresh_from_db()
    assert w.inspection.status == InspectionRound.Status.CLOSED
    assert w.inspection.closed_by == w.office and w.inspection.closed_at is not None


def test_it_refuses_to_close_while_a_branch_is_unchecked_and_names_it(inspected):
    w = inspected  # 东街 has a notice (发现问题); 西街 is still 待检查
    with pytest.raises(TransitionError, match="还有 1 个党支部未检查（西街社区党支部）"):
        services.inspection_round_close(
            inspection=w.inspection, by=w.office, version=w.inspection.edit_version
        )
    w.inspection.refresh_from_db()
    assert w.inspection.status == InspectionRound.Status.OPEN and w.inspection.closed_by is None


def test_it_names_the_first_unchecked_branches_and_counts_the_rest(world):
    for i in range(6):
        make_org(f"未检支部{i}", world.town)
    inspection = open_inspection(world.office, world.town)
    with pytest.raises(TransitionError, match="还有 8 个党支部未检查（.*等）") as refused:
        services.inspection_round_close(
            inspection=inspection, by=world.office, version=inspection.edit_version
        )
    assert str(refused.value).count("、") == services.UNCHECKED_NAMED - 1


@pytest.mark.parametrize("who", ["secretary", "leader", "far_office", "stranger"])
def test_it_lets_only_the_office_of_the_subtree_close_a_round(inspected, who):
    _check_all(inspected.inspection, inspected.office)
    with pytest.raises(PermissionDenied):
        services.inspection_round_close(
            inspection=inspected.inspection, by=getattr(inspected, who), version=1
        )
    inspected.inspection.refresh_from_db()
    assert inspected.inspection.status == InspectionRound.Status.OPEN


def test_it_refuses_a_close_from_a_stale_page_and_a_second_close(inspected):
    w = inspected
    _check_all(w.inspection, w.office)
    seen = w.inspection.edit_version
    services.inspection_checklist_edit(
        inspection=w.inspection, by=w.office, keys=["ledger_kept"], extra=[], version=seen
    )
    with pytest.raises(StaleEdit, match="已被修改"):
        services.inspection_round_close(inspection=w.inspection, by=w.office, version=seen)
    with pytest.raises(StaleEdit):
        services.inspection_round_close(inspection=w.inspection, by=w.office, version=None)
    services.inspection_round_close(
        inspection=w.inspection, by=w.office, version=w.inspection.edit_version
    )
    with pytest.raises(TransitionError, match="检查已结束"):
        services.inspection_round_close(
            inspection=w.inspection, by=w.office, version=w.inspection.edit_version
        )


def test_it_refuses_results_checklists_and_new_notices_on_a_closed_round(inspected):
    w = inspected
    _check_all(w.inspection, w.office)
    target = w.inspection.targets.get(organization=w.other_branch)
    loaded = InspectionTarget.objects.select_related("round").get(pk=target.pk)  # a page's copy
    services.inspection_round_close(
        inspection=w.inspection, by=w.office, version=w.inspection.edit_version
    )
    with pytest.raises(TransitionError, match="检查已结束，不能再确认检查结果"):
        services.inspection_target_check(
            target=loaded, by=w.office, answers={}, version=loaded.edit_version
        )
    with pytest.raises(TransitionError, match="检查已结束，不能再下达整改通知书"):
        issue_inspection_notice(w.office, loaded, problems="台账不规范")
    with pytest.raises(TransitionError, match="检查已结束"):
        services.inspection_checklist_edit(
            inspection=w.inspection,
            by=w.office,
            keys=["ledger_kept"],
            extra=[],
            version=w.inspection.edit_version,
        )
    assert InspectionNotice.objects.count() == 1


def test_it_follows_a_pending_notice_to_its_recheck_after_the_round_closed(inspected):
    w = inspected
    _check_all(w.inspection, w.office)
    services.inspection_round_close(
        inspection=w.inspection, by=w.office, version=w.inspection.edit_version
    )
    notice = w.inspection_notice
    services.inspection_notice_answer(notice=notice, by=w.secretary, answer="已补充公开")
    services.inspection_notice_recheck(notice=notice, by=w.office, passed=True)
    notice.refresh_from_db()
    assert notice.status == Status.PASSED
