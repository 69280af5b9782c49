"""组织评选: open, nominate (with the caution rule), shortlist, 公示, decide."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import TransitionError
from pledges.models import Pledge
from publicity.services import notice as notice_services
from reviews.models import AnnualAssessment, Nomination, SelectionRound
from reviews.services import selection as services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    compose_notice,
    end_publicity,
    make_position,
    nominate,
    open_selection,
    publicise_selection,
    record,
    today,
)

Status = SelectionRound.Status


def test_it_opens_a_round_with_places_for_the_children(world):
    selection = open_selection(world)
    assert selection.status == Status.OPEN
    assert dict(selection.quotas.values_list("organization_id", "places")) == {
        world.branch.pk: 2,
        world.other_branch.pk: 1,
    }


def test_it_refuses_places_outside_the_children(world):
    with pytest.raises(TransitionError):
        open_selection(world, quotas={world.far_town.pk: 1})


def test_it_refuses_a_secretary_opening_a_round(world):
    with pytest.raises(PermissionDenied):
        open_selection(world, by=world.secretary)


def test_it_nominates_a_member_of_the_unit(world):
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    assert (n.member, n.unit, n.status) == (world.member, world.branch, "nominated")
    assert n.caution == ""


def test_it_refuses_a_member_outside_the_unit(world):
    selection = open_selection(world)
    with pytest.raises(TransitionError):
        nominate(selection, world.branch, world.other_member, world.secretary)


def test_it_refuses_another_branch_s_secretary(world):
    selection = open_selection(world)
    with pytest.raises(PermissionDenied):
        nominate(selection, world.branch, world.member, world.other_secretary)


def test_it_refuses_a_nomination_past_the_places(world):
    selection = open_selection(world)
    nominate(selection, world.other_branch, world.other_member, world.other_secretary)
    second = MemberFactory(organization=world.other_branch)
    with pytest.raises(TransitionError, match="名额已用完"):
        nominate(selection, world.other_branch, second, world.other_secretary)


def test_it_refuses_the_same_member_twice(world):
    selection = open_selection(world)
    nominate(selection, world.branch, world.member, world.secretary)
    with pytest.raises(TransitionError):
        nominate(selection, world.branch, world.member, world.secretary)


def test_it_asks_a_written_reason_for_a_member_graded_poor(world):
    record(world, member=world.member, grade=AnnualAssessment.Grade.POOR)
    selection = open_selection(world)
    with pytest.raises(TransitionError, match="书面说明"):
        nominate(selection, world.branch, world.member, world.secretary)
    n = nominate(
        selection, world.branch, world.member, world.secretary, caution_reason="下半年整改到位"
    )
    assert "差" in n.caution and n.caution_reason == "下半年整改到位"


def test_it_asks_a_written_reason_for_an_overdue_pledge(world):
    PledgeFactory(
        owner_org=world.branch,
        owner_member=world.member,
        status=Pledge.Status.IN_PROGRESS,
        year=today().year,
        deadline=today() - datetime.timedelta(days=3),
    )
    selection = open_selection(world)
    with pytest.raises(TransitionError, match="逾期未兑现"):
        nominate(selection, world.branch, world.member, world.secretary)


def test_it_nominates_organizations_for_the_advanced_org_honour(world):
    selection = open_selection(world, honour="advanced_org")
    n = nominate(selection, world.branch, world.branch, world.secretary)
    assert n.member is None and n.organization == world.branch
    with pytest.raises(TransitionError):
        nominate(selection, world.other_branch, world.other_member, world.other_secretary)


def test_it_withdraws_while_open_only(world):
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    services.nomination_withdraw(by=world.secretary, nomination=n)
    assert not Nomination.objects.exists()
    n = nominate(selection, world.branch, world.member, world.secretary)
    services.selection_round_shortlist(
        by=world.office, selection=selection, nomination_ids=[n.pk], version=selection.edit_version
    )
    with pytest.raises(TransitionError):
        services.nomination_withdraw(by=world.secretary, nomination=n)


def test_it_closes_nominations_with_the_short_list(world):
    selection = open_selection(world)
    a = nominate(selection, world.branch, world.member, world.secretary)
    b = nominate(selection, world.other_branch, world.other_member, world.other_secretary)
    services.selection_round_shortlist(
        by=world.office, selection=selection, nomination_ids=[a.pk], version=selection.edit_version
    )
    assert dict(Nomination.objects.values_list("pk", "status")) == {
        a.pk: "shortlisted",
        b.pk: "nominated",
    }
    with pytest.raises(TransitionError, match="截止"):
        nominate(selection, world.branch, MemberFactory(organization=world.branch), world.secretary)


def test_it_changes_the_short_list_of_the_page_shown_only(world):
    selection = open_selection(world)
    a = nominate(selection, world.branch, world.member, world.secretary)
    b = nominate(selection, world.other_branch, world.other_member, world.other_secretary)
    services.selection_round_shortlist(
        by=world.office, selection=selection, nomination_ids=[a.pk], version=selection.edit_version
    )
    services.selection_round_shortlist(
        by=world.office,
        selection=selection,
        nomination_ids=[],
        version=selection.edit_version,
        shown_ids=[b.pk],
    )
    assert dict(Nomination.objects.values_list("pk", "status")) == {
        a.pk: "shortlisted",
        b.pk: "nominated",
    }


@pytest.mark.parametrize("chosen, shown", [([], ["a"]), (["b"], ["a"]), (["a"], ["a", 0])])
def test_it_refuses_an_empty_short_list_or_a_choice_off_the_page(world, chosen, shown):
    selection = open_selection(world)
    ids = {"a": nominate(selection, world.branch, world.member, world.secretary).pk, 0: 0}
    ids["b"] = nominate(selection, world.other_branch, world.other_member, world.other_secretary).pk
    with pytest.raises(TransitionError):
        services.selection_round_shortlist(
            by=world.office,
            selection=selection,
            nomination_ids=[ids[k] for k in chosen],
            version=selection.edit_version,
            shown_ids=[ids[k] for k in shown],
        )
    assert set(Nomination.objects.values_list("status", flat=True)) == {"nominated"}


def test_it_refuses_the_short_list_to_a_secretary(world):
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    with pytest.raises(PermissionDenied):
        services.selection_round_shortlist(
            by=world.secretary,
            selection=selection,
            nomination_ids=[n.pk],
            version=selection.edit_version,
        )


def test_it_puts_the_short_list_on_a_notice_with_the_written_reason(world):
    record(world, member=world.member, grade=AnnualAssessment.Grade.POOR)
    selection = open_selection(world)
    nominate(selection, world.branch, world.member, world.secretary, caution_reason="已整改")
    notice = publicise_selection(world, selection)
    assert selection.status == Status.PUBLICISED
    assert (selection.publicity_starts_on, selection.publicity_ends_on) == (
        notice.starts_on,
        notice.ends_on,
    )
    lines = dict(map(tuple, notice.items.get().lines))
    assert lines["书面说明"] == "已整改" and "差" in lines["需说明的情况"]


def test_it_returns_to_the_short_list_when_the_notice_is_withdrawn(world):
    selection = open_selection(world)
    nominate(selection, world.branch, world.member, world.secretary)
    notice = publicise_selection(world, selection)
    notice_services.notice_withdraw(notice=notice, by=world.office, reason="名单有误")
    selection.refresh_from_db()
    assert selection.status == Status.SHORTLISTED and selection.publicity_ends_on is None


def test_it_refuses_the_decision_before_the_window_ends(world):
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    publicise_selection(world, selection)
    with pytest.raises(TransitionError, match="公示期满"):
        services.selection_round_decide(
            by=world.office, selection=selection, awarded_ids=[n.pk], version=selection.edit_version
        )


def test_it_decides_after_the_window_and_stars_the_annual_grade(world):
    grade = record(world, member=world.member, grade=AnnualAssessment.Grade.GOOD)
    selection = open_selection(world)
    a = nominate(selection, world.branch, world.member, world.secretary)
    b = nominate(selection, world.other_branch, world.other_member, world.other_secretary)
    publicise_selection(world, selection)
    end_publicity(selection)
    services.selection_round_decide(
        by=world.office, selection=selection, awarded_ids=[a.pk], version=selection.edit_version
    )
    selection.refresh_from_db()
    assert selection.status == Status.DECIDED and selection.decided_by == world.office
    assert dict(Nomination.objects.values_list("pk", "status")) == {
        a.pk: "awarded",
        b.pk: "not_awarded",
    }
    grade.refresh_from_db()
    assert grade.exemplary and grade.edit_version == 2


def test_it_awards_only_the_shortlisted(world):
    selection = open_selection(world)
    a = nominate(selection, world.branch, world.member, world.secretary)
    b = nominate(selection, world.other_branch, world.other_member, world.other_secretary)
    services.selection_round_shortlist(
        by=world.office, selection=selection, nomination_ids=[a.pk], version=selection.edit_version
    )
    # On 公示 with the short list as chosen (the helper would shortlist everyone).
    SelectionRound.objects.filter(pk=selection.pk).update(
        status=Status.PUBLICISED,
        publicity_starts_on=today() - datetime.timedelta(days=9),
        publicity_ends_on=today() - datetime.timedelta(days=2),
    )
    selection.refresh_from_db()
    with pytest.raises(TransitionError, match="经过公示"):
        services.selection_round_decide(
            by=world.office, selection=selection, awarded_ids=[b.pk], version=selection.edit_version
        )


def test_it_refuses_a_notice_composed_before_the_short_list_changed(world):
    selection = open_selection(world)
    a = nominate(selection, world.branch, world.member, world.secretary)
    b = nominate(selection, world.other_branch, world.other_member, world.other_secretary)
    services.selection_round_shortlist(
        by=world.office,
        selection=selection,
        nomination_ids=[a.pk, b.pk],
        version=selection.edit_version,
    )
    notice = compose_notice(world, kind="selection", by=world.office, org=world.town)
    services.selection_round_shortlist(
        by=world.office,
        selection=selection,
        nomination_ids=[a.pk],
        version=selection.edit_version,
    )
    notice_services.notice_submit(notice=notice, by=world.office)
    colleague = UserFactory()
    make_position(colleague, world.town, "office")
    with pytest.raises(TransitionError, match="公示人选已调整"):
        notice_services.notice_approve(notice=notice, by=colleague)
