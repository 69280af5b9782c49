"""PERMISSIONS.md is the permission table; this walks it. Every row names a rule (检查), every
cell says whether that role may make the move; each is checked against the rule itself, so the
table and the code cannot drift apart."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from pledges.models import Position
from pledges.rules import calendar as calendar_rules
from pledges.rules import organization as organization_rules
from pledges.rules import pledge as pledge_rules
from publicity.models import Notice
from publicity.rules import notice as publicity_rules
from publicity.rules import opinion as opinion_rules
from reviews.models import DutyReport, Filing, InspectionNotice, SelectionRound, SuggestionLetter
from reviews.rules import (
    assessment,
    dashboard,
    duty_report,
    filing,
    inspection,
    letter,
    mass_evaluation,
    monthly_rating,
    rectification,
    review,
    selection,
    self_evaluation,
)
from tests.factories import (
    PledgeFactory,
    UserFactory,
    make_position,
    member_subject,
    org_subject,
    signed_review,
)

TABLE = Path(settings.BASE_DIR) / "PERMISSIONS.md"
ROLES = ["支部书记", "党员", "上级党委书记", "联系/分管领导", "党委办公室", "群众"]
MARKS = {"✓": True, "✗": False}


def _rows() -> list[dict[str, str]]:
    lines = [line for line in TABLE.read_text().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")), strict=True))
        for line in lines[2:]
    ]


ROWS = _rows()


class Scene:
    """One branch and its member, seen by each role of the table."""

    def __init__(self, world):
        w = world
        self.w = w
        town_secretary = UserFactory(username="town_secretary_t")
        make_position(town_secretary, w.town, Position.Kind.SECRETARY)
        leader = UserFactory(username="branch_leader_t")
        make_position(leader, w.branch, Position.Kind.LEADER_SUPERVISE)
        self.users = {
            "支部书记": w.secretary,
            "党员": w.member_user,
            "上级党委书记": town_secretary,
            "联系/分管领导": leader,
            "党委办公室": w.office,
            "群众": AnonymousUser(),
        }
        self.member_pledge = PledgeFactory(owner_org=w.branch, owner_member=w.member)
        self.branch_pledge = PledgeFactory(owner_org=w.branch, owner_member=None)
        self.review = signed_review(leader, org_subject(w.branch), mode="random")
        self.filing = Filing(organization=w.branch, year=2026, half=1)
        self.item = self.review.items.order_by("id").first()
        self.letter = SuggestionLetter(
            member=w.member, organization=w.branch, issued_by=w.secretary
        )
        self.inspection_notice = InspectionNotice(organization=w.branch, committee=w.town)
        self.notice = Notice(organization=w.branch, kind="pledges", submitted_by=w.secretary)
        self.duty_report = DutyReport(organization=w.branch, year=2026)
        self.assessment_notice = Notice(
            organization=w.branch, kind=Notice.Kind.ASSESSMENTS, submitted_by=w.secretary
        )
        self.selection_notice = Notice(
            organization=w.branch, kind=Notice.Kind.SELECTION, submitted_by=w.secretary
        )
        self.selection = SelectionRound(organization=w.town)


def _checks(s: Scene):
    w = s.w
    return {
        "view_organization": lambda u: organization_rules.can_view_organization(u, w.branch),
        "edit_member_pledge": lambda u: pledge_rules.can_edit_pledge(u, s.member_pledge),
        "approve_member_pledge": lambda u: pledge_rules.can_approve_pledge(u, s.member_pledge),
        "approve_branch_pledge": lambda u: pledge_rules.can_approve_pledge(u, s.branch_pledge),
        "run_pledge": lambda u: pledge_rules.can_run_pledge(u, s.member_pledge),
        "record_progress": lambda u: pledge_rules.can_record_progress(u, s.member_pledge),
        "import_roster": lambda u: organization_rules.can_import_roster(u, w.branch),
        "set_calendar": lambda u: calendar_rules.can_set_calendar(u, w.branch),
        "personal_data": lambda u: organization_rules.can_see_personal_data(u, w.member),
        "read_id_card": lambda u: organization_rules.can_read_id_card(u, w.member),
        "write_member_self_evaluation": lambda u: self_evaluation.can_write_self_evaluation(
            u, member_subject(w.member)
        ),
        "write_branch_self_evaluation": lambda u: self_evaluation.can_write_self_evaluation(
            u, org_subject(w.branch)
        ),
        "review_member": lambda u: review.can_review(u, member_subject(w.member)),
        "review_branch": lambda u: review.can_review(u, org_subject(w.branch)),
        "edit_review": lambda u: review.can_edit_review(u, s.review),
        "publish_review": lambda u: review.can_publish_review(u, s.review),
        "spot_check": lambda u: review.can_spot_check(u, s.review),
        "export_review_ledgers": lambda u: review.can_export_review_ledgers(u, w.branch),
        "work_on_rectification_item": lambda u: rectification.can_work_on_rectification_item(
            u, s.item
        ),
        "confirm_rectification_item": lambda u: rectification.can_confirm_rectification_item(
            u, s.item
        ),
        "file_filing": lambda u: filing.can_file(u, w.branch),
        "decide_filing": lambda u: filing.can_decide_filing(u, s.filing),
        "view_filing_status": lambda u: filing.can_view_filing_status(u, w.branch),
        "view_filing_status_committee": lambda u: filing.can_view_filing_status(u, w.town),
        "raise_rectification_item": lambda u: rectification.can_raise_rectification_item(
            u, w.branch
        ),
        "issue_letter": lambda u: letter.can_issue_letter(u, w.member),
        "reply_letter": lambda u: letter.can_reply_letter(u, s.letter),
        "close_letter": lambda u: letter.can_close_letter(u, s.letter),
        "run_mass_evaluation": lambda u: mass_evaluation.can_run_mass_evaluation(u, w.branch),
        "rate_members": lambda u: monthly_rating.can_rate_members(u, w.branch),
        "set_rating_criteria": lambda u: monthly_rating.can_set_rating_criteria(u, w.branch),
        "view_monthly_rating": lambda u: monthly_rating.can_view_monthly_rating(u, w.branch),
        "write_secretary_duty_report": lambda u: duty_report.can_write_duty_report(u, w.branch),
        "write_member_duty_report": lambda u: duty_report.can_write_duty_report(
            u, w.branch, w.member
        ),
        "tally_duty_report": lambda u: duty_report.can_tally_duty_report(u, s.duty_report),
        # The codes are issued by whoever enters the paper tally: the same rule.
        "issue_duty_report_codes": lambda u: duty_report.can_tally_duty_report(u, s.duty_report),
        "view_duty_reports": lambda u: duty_report.can_view_duty_reports(u, w.branch),
        "assess_branch": lambda u: assessment.can_record_assessment(u, w.branch),
        "assess_member": lambda u: assessment.can_record_assessment(u, w.branch, member=w.member),
        "publish_assessments": lambda u: assessment.can_publish_assessments(u, w.branch),
        "view_assessment": lambda u: assessment.can_view_assessment(u, w.branch),
        "open_selection": lambda u: selection.can_open_selection(u, w.town),
        "nominate": lambda u: selection.can_nominate(u, w.branch),
        "run_selection": lambda u: selection.can_run_selection(u, s.selection),
        "approve_selection_notice": lambda u: publicity_rules.can_approve(u, s.selection_notice),
        "view_dashboard": lambda u: dashboard.can_view_dashboard(u, w.branch),
        "run_inspection": lambda u: inspection.can_run_inspection(u, w.town),
        "answer_inspection_notice": lambda u: inspection.can_answer_inspection_notice(
            u, s.inspection_notice
        ),
        "recheck_inspection_notice": lambda u: inspection.can_recheck_inspection_notice(
            u, s.inspection_notice
        ),
        "compose_notice": lambda u: publicity_rules.can_compose(u, w.branch),
        "approve_notice": lambda u: publicity_rules.can_approve(u, s.notice),
        "approve_assessment_notice": lambda u: publicity_rules.can_approve(u, s.assessment_notice),
        "withdraw_notice": lambda u: publicity_rules.can_withdraw(u, s.notice),
        "moderate_opinions": lambda u: opinion_rules.can_moderate(u, w.branch),
        # The anonymous forms: no rule but the per-address limits (core.ratelimit).
        "anyone": lambda u: True,
    }


def test_it_reads_a_row_for_every_check_and_a_check_for_every_row(world):
    named = {row["检查"] for row in ROWS}
    assert named == set(_checks(Scene(world)))
    assert all(row[role] in MARKS for row in ROWS for role in ROLES)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['检查']}-{r['动作']}" for r in ROWS])
def test_it_matches_the_rules(world, row):
    scene = Scene(world)
    check = _checks(scene)[row["检查"]]
    got = {role: check(user) for role, user in scene.users.items()}
    assert got == {role: MARKS[row[role]] for role in ROLES}


@pytest.mark.parametrize("username", ["other_secretary", "other_member_user", "far_office"])
def test_it_refuses_every_move_to_a_role_outside_the_scope(world, username):
    scene = Scene(world)
    checks = _checks(scene)
    outsider = getattr(world, username)
    allowed = [key for key, check in checks.items() if key != "anyone" and check(outsider)]
    assert allowed == []
