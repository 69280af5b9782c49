"""Every state move of a pledge, allowed and refused, through the services."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.errors import TransitionError
from pledges.models import Pledge, PledgeEvent
from pledges.services import pledge as services

TODAY = timezone.localdate
S = Pledge.Status


S = Pledge.Status


def test_it_creates_a_draft_for_a_member_and_records_it(world, content):
    pledge = services.pledge_create(
        by=world.secretary,
        owner_org=world.branch,
        owner_member=world.member,
        content=content(),
        year=2026,
    )
    assert pledge.status == S.DRAFT
    assert pledge.events.get().action == PledgeEvent.Action.CREATE
    assert pledge.events.get().actor == world.secretary


def test_it_lets_a_member_enter_his_own_pledge(world, content):
    pledge = services.pledge_create(
        by=world.member_user,
        owner_org=world.branch,
        owner_member=world.member,
        content=content(),
        year=2026,
    )
    assert pledge.created_by == world.member_user


def test_it_refuses_a_member_of_another_organization_as_owner(world, content):
    with pytest.raises(TransitionError):
        services.pledge_create(
            by=world.secretary,
            owner_org=world.branch,
            owner_member=world.other_member,
            content=content(),
            year=2026,
        )


@pytest.mark.parametrize("username", ["stranger", "other_secretary", "other_member_user", "leader"])
def test_it_refuses_creating_for_outsiders(world, username, content):
    user = getattr(world, username)
    with pytest.raises(PermissionDenied):
        services.pledge_create(
            by=user, owner_org=world.branch, owner_member=world.member, content=content(), year=2026
        )


def test_it_submits_a_draft_on_the_members_behalf(world, pledge_in):
    pledge = pledge_in("draft", world)
    services.pledge_submit(pledge=pledge, by=world.secretary)
    pledge.refresh_from_db()
    assert pledge.status == S.SUBMITTED
    assert pledge.submitted_by == world.secretary


def test_it_approves_a_submitted_member_pledge_by_the_secretary(world, pledge_in):
    pledge = pledge_in("submitted", world)
    services.pledge_approve(pledge=pledge, by=world.secretary, remark="同意")
    pledge.refresh_from_db()
    assert pledge.status == S.APPROVED
    assert pledge.approved_by == world.secretary
    assert pledge.events.last().remark == "同意"


def test_it_refuses_approving_ones_own_pledge(world, pledge_in):
    pledge = pledge_in("submitted", world)
    with pytest.raises(TransitionError, match="自己"):
        services.pledge_approve(pledge=pledge, by=world.member_user)


def test_it_refuses_a_secretary_approving_his_own_branchs_pledge(world, pledge_in):
    pledge = pledge_in("submitted", world, member=False)
    with pytest.raises(TransitionError, match="上级"):
        services.pledge_approve(pledge=pledge, by=world.secretary)


def test_it_approves_a_branch_pledge_by_the_higher_office_and_leader(world, pledge_in):
    first = pledge_in("submitted", world, member=False)
    second = pledge_in("submitted", world, member=False)
    services.pledge_approve(pledge=first, by=world.office)
    services.pledge_approve(pledge=second, by=world.leader)
    assert {p.status for p in Pledge.objects.filter(pk__in=[first.pk, second.pk])} == {S.APPROVED}


@pytest.mark.parametrize(
    "username", ["stranger", "other_secretary", "far_office", "other_member_user"]
)
def test_it_refuses_approval_by_outsiders(world, username, pledge_in):
    pledge = pledge_in("submitted", world)
    with pytest.raises(PermissionDenied):
        services.pledge_approve(pledge=pledge, by=getattr(world, username))


@pytest.mark.parametrize("status", ["draft", "returned", "approved", "published", "closed"])
def test_it_refuses_approving_a_pledge_not_submitted(world, status, pledge_in):
    pledge = pledge_in(status, world)
    with pytest.raises(TransitionError):
        services.pledge_approve(pledge=pledge, by=world.secretary)


def test_it_returns_with_a_reason_and_lets_it_be_resubmitted(world, pledge_in, content):
    pledge = pledge_in("submitted", world)
    services.pledge_return(pledge=pledge, by=world.secretary, reason="时限不明确")
    assert pledge.status == S.RETURNED
    assert pledge.return_reason == "时限不明确"
    services.pledge_update(
        pledge=pledge,
        by=world.member_user,
        content=content(title="新的事项"),
        version=pledge.edit_version,
    )
    services.pledge_submit(pledge=pledge, by=world.member_user)
    assert pledge.status == S.SUBMITTED


def test_it_refuses_returning_without_a_reason(world, pledge_in):
    pledge = pledge_in("submitted", world)
    with pytest.raises(TransitionError, match="原因"):
        services.pledge_return(pledge=pledge, by=world.secretary, reason="  ")
    pledge.refresh_from_db()
    assert pledge.status == S.SUBMITTED


def test_it_publishes_only_approved_pledges(world, pledge_in):
    pledge = pledge_in("approved", world)
    services.pledge_publish(pledge=pledge, by=world.secretary)
    assert pledge.status == S.PUBLISHED
    with pytest.raises(TransitionError):
        services.pledge_publish(pledge=pledge_in("submitted", world), by=world.secretary)


def test_it_closes_with_result_date_and_who(world, pledge_in):
    pledge = pledge_in("in_progress", world)
    services.pledge_close(pledge=pledge, by=world.secretary, result="群众满意")
    pledge.refresh_from_db()
    assert (pledge.status, pledge.closed_by, pledge.closed_on) == (
        S.CLOSED,
        world.secretary,
        TODAY(),
    )
    assert pledge.close_result == "群众满意"


@pytest.mark.parametrize("status", ["draft", "submitted", "approved", "closed", "unfulfilled"])
def test_it_refuses_closing_what_is_not_running(world, status, pledge_in):
    with pytest.raises(TransitionError):
        services.pledge_close(pledge=pledge_in(status, world), by=world.secretary, result="x")


def test_it_refuses_closing_by_the_member_himself(world, pledge_in):
    with pytest.raises(PermissionDenied):
        services.pledge_close(
            pledge=pledge_in("in_progress", world), by=world.member_user, result="x"
        )


def test_it_marks_unfulfilled_with_a_reason(world, pledge_in):
    pledge = pledge_in("in_progress", world)
    with pytest.raises(TransitionError):
        services.pledge_mark_unfulfilled(pledge=pledge, by=world.secretary, reason="")
    services.pledge_mark_unfulfilled(pledge=pledge, by=world.secretary, reason="资金未到位")
    assert pledge.status == S.UNFULFILLED


@pytest.mark.parametrize("status", ["closed", "unfulfilled"])
def test_it_carries_an_ended_pledge_into_a_new_draft(world, status, pledge_in):
    old = pledge_in(status, world)
    new = services.pledge_carry_over(pledge=old, by=world.secretary)
    assert new.status == S.DRAFT
    assert new.carried_from == old
    assert new.title == old.title
    with pytest.raises(TransitionError, match="已有再承诺"):
        services.pledge_carry_over(pledge=old, by=world.secretary)


def test_it_refuses_carrying_over_a_running_pledge(world, pledge_in):
    with pytest.raises(TransitionError):
        services.pledge_carry_over(pledge=pledge_in("in_progress", world), by=world.secretary)


def test_it_refuses_editing_published_content_directly(world, pledge_in, content):
    pledge = pledge_in("published", world)
    with pytest.raises(TransitionError, match="变更"):
        services.pledge_update(
            pledge=pledge,
            by=world.secretary,
            content=content(title="改了"),
            version=pledge.edit_version,
        )


def test_it_records_an_amendment_with_old_and_new_values(world, pledge_in, content):
    pledge = pledge_in("published", world)
    old_title = pledge.title
    services.pledge_amend(
        pledge=pledge,
        by=world.secretary,
        content=content(title="改后的事项"),
        reason="上级要求调整",
        version=pledge.edit_version,
    )
    event = pledge.events.get(action=PledgeEvent.Action.AMEND)
    assert event.changes["title"] == [old_title, "改后的事项"]
    assert event.remark == "上级要求调整"
    assert event.actor == world.secretary


def test_it_refuses_an_amendment_without_reason_or_change(world, pledge_in, content):
    pledge = pledge_in("published", world)
    with pytest.raises(TransitionError):
        services.pledge_amend(
            pledge=pledge,
            by=world.secretary,
            content=content(),
            reason="",
            version=pledge.edit_version,
        )
    same = content(**{n: getattr(pledge, n) for n in Pledge.CONTENT_FIELDS})
    with pytest.raises(TransitionError, match="没有变化"):
        services.pledge_amend(
            pledge=pledge,
            by=world.secretary,
            content=same,
            reason="无",
            version=pledge.edit_version,
        )


def test_it_refuses_a_stale_edit(world, pledge_in, content):
    pledge = pledge_in("draft", world)
    stale = pledge.edit_version
    services.pledge_update(
        pledge=pledge,
        by=world.secretary,
        content=content(title="第一次"),
        version=pledge.edit_version,
    )
    with pytest.raises(TransitionError, match="刷新"):
        services.pledge_update(
            pledge=pledge, by=world.member_user, content=content(title="第二次"), version=stale
        )


def test_it_deletes_only_never_submitted_drafts(world, pledge_in):
    pledge = pledge_in("draft", world)
    services.pledge_delete_draft(pledge=pledge, by=world.secretary)
    assert not Pledge.objects.filter(pk=pledge.pk).exists()
    returned = pledge_in("returned", world)
    with pytest.raises(TransitionError):
        services.pledge_delete_draft(pledge=returned, by=world.secretary)


def test_it_applies_a_bulk_move_item_by_item(world, pledge_in):
    mine = pledge_in("submitted", world)
    other = pledge_in("draft", world)
    result = services.pledges_bulk(pledges=[mine, other], by=world.secretary, action="approve")
    assert result.done == [mine]
    assert result.refused[0][0] == other


def test_it_records_the_whole_history(world, pledge_in):
    pledge = pledge_in("closed", world)
    actions = list(pledge.events.values_list("action", flat=True))
    assert actions == ["create", "submit", "approve", "publish", "progress", "close"]


def test_it_refuses_a_deadline_before_the_period(world, content):
    with pytest.raises(TransitionError, match="早于"):
        services.pledge_create(
            by=world.secretary,
            owner_org=world.branch,
            owner_member=world.member,
            content=content(deadline=datetime.date(2020, 1, 1)),
            year=2026,
        )
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"title": "路" * 201}, "承诺事项不能超过 200 个字", id="long_title"),
        pytest.param({"measures": "措" * 2001}, "践诺措施不能超过 2000 个字", id="long_measures"),
        pytest.param({"expected_result": " "}, "请填写预期效果", id="no_expected_result"),
        pytest.param({"measures": "a\x00b"}, "践诺措施含有无法保存的控制字符", id="nul"),
        pytest.param({"deadline": None}, "请填写完成时限", id="no_deadline"),
    ],
)
def test_it_refuses_content_that_breaks_the_pledge_rules(world, content, overrides, message):
    with pytest.raises(TransitionError, match=message):
        services.pledge_create(
            by=world.secretary,
            owner_org=world.branch,
            content=content(**overrides),
            year=timezone.localdate().year,
        )
    assert not Pledge.objects.exists()


def test_it_names_the_state_and_the_move_when_it_refuses(world, pledge_in):
    with pytest.raises(TransitionError) as refused:
        services.pledge_publish(pledge=pledge_in("submitted", world), by=world.secretary)
    assert str(refused.value) == "该承诺当前为“待审核”，不能亮诺；只有已审核备案的承诺可以亮诺"


def test_it_refuses_a_stranger_before_telling_him_the_state(world, pledge_in):
    with pytest.raises(PermissionDenied):
        services.pledge_publish(pledge=pledge_in("submitted", world), by=world.stranger)


def test_it_moves_a_draft_to_the_period_given_and_records_it(world, pledge_in, content):
    draft = pledge_in("draft", world)
    year = draft.year + 1
    services.pledge_update(
        pledge=draft,
        by=world.secretary,
        content=content(deadline=datetime.date(year, 12, 31)),
        version=draft.edit_version,
        year=year,
        half=Pledge.Half.FIRST,
    )
    draft.refresh_from_db()
    assert (draft.year, draft.half) == (year, Pledge.Half.FIRST)
    changes = draft.events.get(action="edit").changes
    assert changes["year"] == [str(year - 1), str(year)]
    assert changes["half"] == ["0", "1"]
