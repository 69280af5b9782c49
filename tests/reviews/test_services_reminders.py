"""The reviews' reminder rules on a fixed clock (days in Asia/Shanghai)."""

import datetime

import pytest
from django.urls import reverse

from core.notifications import reminders as registry
from pledges.services.calendar import calendar_set
from reviews.models import Quarter, RectificationItem, Review, SuggestionLetter
from reviews.services import reminders
from reviews.services import selection as services
from tests.factories import (
    MemberFactory,
    UserFactory,
    calendar_content,
    make_item,
    make_org,
    make_position,
    make_review,
    make_self_evaluation,
    nominate,
    open_selection,
)

D = datetime.date
Q1 = Quarter(2026, 1)


def by_recipient(items) -> dict[int, str]:
    return {item.recipient_id: item.body for item in items}


# --- 一季一点评 -------------------------------------------------------------------------------


def test_it_opens_the_quarter_reminders_in_its_last_month_then_the_last_week():
    assert reminders.quarter_window(D(2026, 2, 28), last=False) is None
    assert reminders.quarter_window(D(2026, 3, 1), last=False) == Q1
    assert reminders.quarter_window(D(2026, 3, 23), last=False) == Q1
    assert reminders.quarter_window(D(2026, 3, 24), last=False) is None
    assert reminders.quarter_window(D(2026, 3, 23), last=True) is None
    assert reminders.quarter_window(D(2026, 3, 24), last=True) == Q1
    assert reminders.quarter_window(D(2026, 3, 31), last=True) == Q1
    assert reminders.quarter_window(D(2026, 4, 1), last=True) is None


def test_it_reminds_every_reviewer_of_the_reviews_he_owes(rworld):
    w = rworld
    items = reminders.review_owed(D(2026, 3, 2))
    owed = by_recipient(items)
    assert set(owed) == {
        w.branch_leader.pk,  # the branch and its secretary he supervises
        w.leader.pk,  # the town he is linked to, and its secretary
        w.town_secretary.pk,  # the two branches directly under the town
        w.secretary.pk,  # 张三, a member of his branch
        w.other_secretary.pk,  # 李四
        w.far_leader.pk,  # a branch without a secretary: the organization only
    }
    assert "2 个点评对象" in owed[w.branch_leader.pk]
    assert "东街社区党支部书记" in owed[w.branch_leader.pk]
    assert "张三" in owed[w.secretary.pk]
    assert "1 个点评对象" in owed[w.far_leader.pk]
    assert {i.period for i in items} == {"2026Q1"}
    assert {i.link for i in items} == {"/reviews/my/?q=2026Q1"}
    assert w.office.pk not in owed


def test_it_reminds_a_week_before_the_end_only_those_still_missing(rworld):
    w = rworld
    make_review(Q1, Review.Grade.GOOD, reviewer=w.secretary, member=w.member)
    make_review(Q1, Review.Grade.GOOD, reviewer=w.branch_leader, org=w.branch)
    draft = make_review(
        Q1,
        Review.Grade.GOOD,
        status=Review.Status.DRAFT,
        reviewer=w.other_secretary,
        member=w.other_member,
    )
    assert draft.status == Review.Status.DRAFT
    assert reminders.review_owed_last(D(2026, 3, 20)) == []
    owed = by_recipient(reminders.review_owed_last(D(2026, 3, 24)))
    assert w.secretary.pk not in owed
    assert w.other_secretary.pk in owed  # a draft is not a review
    assert "1 个点评对象" in owed[w.branch_leader.pk]  # the secretary still owed


def test_it_keeps_the_review_query_count_flat(rworld, django_assert_num_queries):
    with django_assert_num_queries(5):
        few = len(reminders.review_owed(D(2026, 3, 2)))
    for i in range(20):
        MemberFactory(name=f"成员{i}", organization=rworld.branch)
    with django_assert_num_queries(5):
        assert len(reminders.review_owed(D(2026, 3, 2))) == few


def test_it_reminds_a_half_yearly_committee_twice_a_year(rworld):
    """The town reviews half-yearly (半年一点评): nothing owed under it in Q1, all in Q2."""
    w = rworld
    calendar_set(
        organization=w.town,
        year=2026,
        content=calendar_content(year=2026),
        version=0,
        by=w.office,
    )
    q1 = by_recipient(reminders.review_owed(D(2026, 3, 2)))
    assert w.secretary.pk not in q1 and w.branch_leader.pk not in q1
    assert w.leader.pk not in q1  # the town itself follows its own setting
    q2 = by_recipient(reminders.review_owed(D(2026, 6, 2)))
    assert "张三" in q2[w.secretary.pk] and w.branch_leader.pk in q2
    assert not any(
        w.secretary.pk == i.recipient_id for i in reminders.self_evaluation_owed(D(2026, 3, 5))
    )


# --- 先报后评 ---------------------------------------------------------------------------------


def test_it_reminds_the_secretaries_of_the_self_evaluation_not_every_member(rworld):
    w = rworld
    no_login = MemberFactory(name="王五", organization=w.branch)
    make_self_evaluation(Q1, member=w.other_member)
    make_self_evaluation(Q1, org=w.other_branch)
    owed = by_recipient(reminders.self_evaluation_owed(D(2026, 3, 5)))
    assert set(owed) == {w.secretary.pk, w.other_secretary.pk, w.town_secretary.pk}
    assert w.member_user.pk not in owed  # his secretary sees it through
    assert "4 份" in owed[w.secretary.pk]  # the branch, himself, 张三 and 王五
    assert no_login.name in owed[w.secretary.pk]
    assert w.member.name in owed[w.secretary.pk]
    assert "1 份" in owed[w.other_secretary.pk]  # only his own as secretary is left
    assert "2 份" in owed[w.town_secretary.pk]  # the town and himself
    assert reminders.self_evaluation_owed(D(2026, 2, 5)) == []


def test_it_keeps_the_self_evaluation_query_count_flat(rworld, django_assert_num_queries):
    with django_assert_num_queries(5):
        reminders.self_evaluation_owed_last(D(2026, 3, 30))
    for i in range(20):
        MemberFactory(name=f"成员{i}", organization=rworld.branch)
    with django_assert_num_queries(5):
        reminders.self_evaluation_owed_last(D(2026, 3, 30))


# --- rectification items and letters -------------------------------------------------------


def test_it_reminds_of_a_rectification_deadline_before_and_after(rworld):
    w = rworld
    review = make_review(Q1, Review.Grade.POOR, reviewer=w.secretary, member=w.member)
    item = make_item(review, D(2026, 5, 10))
    assert reminders.rectification_deadline_soon(D(2026, 5, 2)) == []
    soon = reminders.rectification_deadline_soon(D(2026, 5, 3))
    assert [(i.recipient_id, i.subject_key, i.period) for i in soon] == [
        (w.member_user.pk, f"r:{item.pk}", "2026-05-10")
    ]
    assert soon[0].link == f"/reviews/rectification/{item.pk}/"
    late = reminders.rectification_overdue(D(2026, 5, 11))
    assert {i.recipient_id for i in late} == {w.member_user.pk, w.secretary.pk}


def test_it_tells_the_secretary_of_an_organizations_rectification_item_and_skips_a_done_one(rworld):
    w = rworld
    review = make_review(Q1, Review.Grade.POOR, reviewer=w.town_secretary, org=w.branch)
    make_item(review, D(2026, 5, 10))
    make_item(review, D(2026, 5, 10), status=RectificationItem.Status.DONE)
    items = reminders.rectification_deadline_soon(D(2026, 5, 5))
    assert [i.recipient_id for i in items] == [w.secretary.pk]


def test_it_reminds_of_a_letter_deadline_before_and_after(rworld):
    w = rworld
    letter = SuggestionLetter.objects.create(
        member=w.member,
        organization=w.branch,
        number="2026-01",
        reason=SuggestionLetter.Reason.UNFULFILLED,
        problems="承诺未兑现",
        measures="限期整改",
        deadline=D(2026, 6, 30),
        issued_by=w.secretary,
        issued_on=D(2026, 6, 1),
    )
    soon = reminders.letter_deadline_soon(D(2026, 6, 23))
    assert [(i.recipient_id, i.subject_key) for i in soon] == [(w.member_user.pk, f"l:{letter.pk}")]
    assert soon[0].link == f"/reviews/letters/{letter.pk}/"
    assert reminders.letter_deadline_soon(D(2026, 6, 22)) == []
    late = reminders.letter_overdue(D(2026, 7, 1))
    assert {i.recipient_id for i in late} == {w.member_user.pk, w.secretary.pk}


@pytest.mark.parametrize("rule", sorted(reminders.RULES))
def test_it_returns_items_of_its_own_kind_only(rworld, rule):
    for day in (D(2026, 3, 2), D(2026, 3, 28)):
        assert {i.kind for i in reminders.RULES[rule](day)} <= {rule}


def test_it_reminds_the_branch_of_a_notice_deadline_and_the_office_once_overdue(inspected):
    w = inspected
    notice = w.inspection_notice
    type(notice).objects.filter(pk=notice.pk).update(deadline=D(2026, 6, 30))
    soon = reminders.inspection_notice_deadline_soon(D(2026, 6, 23))
    assert [(i.recipient_id, i.subject_key) for i in soon] == [(w.secretary.pk, f"in:{notice.pk}")]
    assert soon[0].link == f"/reviews/inspections/notices/{notice.pk}/"
    late = reminders.inspection_notice_overdue(D(2026, 7, 1))
    assert {i.recipient_id for i in late} == {w.secretary.pk, w.office.pk}
    type(notice).objects.filter(pk=notice.pk).update(status="answered", answer="已整改")
    assert reminders.inspection_notice_overdue(D(2026, 7, 1)) == []


# --- 组织评选: the nomination deadline ---------------------------------------------------------


def test_it_reminds_the_units_short_of_their_places_before_the_nomination_deadline(world):
    w = world
    selection = open_selection(w)  # places: the branch 2, the other branch 1
    nominate(selection, w.other_branch, w.other_member, w.other_secretary)
    nominate(selection, w.branch, w.member, w.secretary)
    branch_office = UserFactory(username="branch_office")
    make_position(branch_office, w.branch, "office")
    due = selection.nominations_due
    rule = reminders.nomination_deadline_soon
    assert rule(due - datetime.timedelta(days=4)) == []
    soon = rule(due - datetime.timedelta(days=3))
    assert sorted(i.recipient_id for i in soon) == sorted([w.secretary.pk, branch_office.pk])
    assert {i.subject_key for i in soon} == {f"sel:{selection.pk}:{w.branch.pk}"}
    assert {i.period for i in soon} == {due.isoformat()}
    assert {i.link for i in soon} == {
        reverse("reviews:nomination_new", args=[selection.pk, w.branch.pk])
    }
    assert "推荐名额 2 名，已推荐 1 名" in soon[0].body
    assert due.isoformat() in soon[0].title
    assert len(rule(due)) == 2  # the last day still catches up a missed beat
    assert rule(due + datetime.timedelta(days=1)) == []


def test_it_tells_a_unit_that_filled_its_places_or_a_closed_round_nothing(world):
    w = world
    selection = open_selection(w, quotas={w.branch.pk: 1})
    day = selection.nominations_due - datetime.timedelta(days=1)
    assert len(reminders.nomination_deadline_soon(day)) == 1
    n = nominate(selection, w.branch, w.member, w.secretary)
    assert reminders.nomination_deadline_soon(day) == []
    services.nomination_withdraw(by=w.secretary, nomination=n)
    assert len(reminders.nomination_deadline_soon(day)) == 1
    selection_round = open_selection(w, quotas={w.other_branch.pk: 2})
    nominate(selection_round, w.other_branch, w.other_member, w.other_secretary)
    services.selection_round_shortlist(
        by=w.office,
        selection=selection_round,
        nomination_ids=list(selection_round.nominations.values_list("pk", flat=True)),
        version=selection_round.edit_version,
    )
    assert {i.recipient_id for i in reminders.nomination_deadline_soon(day)} == {w.secretary.pk}


def test_it_sends_the_nomination_reminder_once(world):
    w = world
    selection = open_selection(w, quotas={w.branch.pk: 1})
    due = selection.nominations_due
    first = registry.reminders_send(
        kind=reminders.NOMINATION_DEADLINE_SOON, day=due - datetime.timedelta(days=3)
    )
    again = registry.reminders_send(
        kind=reminders.NOMINATION_DEADLINE_SOON, day=due - datetime.timedelta(days=2)
    )
    assert (first.created, again.created) == (1, 0)
    assert reminders.NOMINATION_DEADLINE_SOON in registry.kinds()


@pytest.mark.parametrize("n", [1, 3])
def test_it_keeps_the_nomination_reminder_query_count_flat(world, django_assert_num_queries, n):
    w = world
    for i in range(n):
        unit = make_org(f"评选党支部{i}", w.town)
        make_position(UserFactory(username=f"unit_secretary{i}"), unit, "secretary")
        selection = open_selection(w, quotas={w.branch.pk: 2, unit.pk: 1})
    nominate(selection, w.branch, w.member, w.secretary)
    day = selection.nominations_due
    with django_assert_num_queries(3):
        items = reminders.nomination_deadline_soon(day)
    assert len(items) == 2 * n
