"""谁联系、谁分管、谁点评: who owes whom a review, and the "my reviews" page stays flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pledges.models import Position
from pledges.services.calendar import calendar_set
from reviews.models import Quarter
from reviews.selectors import review as review_selectors
from reviews.services import review as review_services
from tests.factories import (
    MemberFactory,
    UserFactory,
    calendar_content,
    content,
    make_org,
    make_position,
    member_subject,
    org_subject,
    signed_review,
    submit_self_evaluation,
    today,
)


def keys(user) -> set[str]:
    return {s.key for s in review_selectors.owed_subjects(user)}


def test_it_gives_a_leader_his_linked_organization_and_its_secretary(rworld):
    assert keys(rworld.branch_leader) == {f"o:{rworld.branch.pk}", f"s:{rworld.branch.pk}"}


def test_it_leaves_out_the_secretary_subject_where_there_is_no_secretary(rworld):
    assert keys(rworld.far_leader) == {f"o:{rworld.far_branch.pk}"}


def test_it_gives_a_higher_head_the_organizations_directly_under_it(rworld):
    make_org("东街第一党小组", rworld.branch, level="group")
    assert keys(rworld.town_secretary) == {f"o:{rworld.branch.pk}", f"o:{rworld.other_branch.pk}"}


def test_it_gives_a_branch_secretary_each_member_but_himself(rworld):
    own = MemberFactory(name="王书记", organization=rworld.branch, user=rworld.secretary)
    assert f"m:{rworld.member.pk}" in keys(rworld.secretary)
    assert f"m:{own.pk}" not in keys(rworld.secretary)
    assert f"m:{rworld.other_member.pk}" not in keys(rworld.secretary)


def test_it_gives_office_members_and_strangers_nobody(rworld):
    for user in (rworld.office, rworld.member_user, rworld.stranger):
        assert keys(user) == set()


def test_it_shows_self_evaluation_review_state_and_overdue_on_my_reviews(rworld):
    subject = member_subject(rworld.member)
    submit_self_evaluation(subject, rworld.member_user)
    signed_review(rworld.secretary, subject, mode="collective")
    rows = {
        r.subject.key: r for r in review_selectors.my_reviews(rworld.secretary, Quarter.current())
    }
    row = rows[subject.key]
    assert row.self_evaluation is not None and row.state == "signed" and row.is_done
    past = review_selectors.my_reviews(rworld.secretary, Quarter.current().prev())
    assert all(r.is_overdue and r.state == "missing" for r in past)


def test_it_counts_missing_reviews_as_my_reviews_shows_them(rworld):
    MemberFactory(name="未点评党员", organization=rworld.member.organization)
    signed_review(rworld.secretary, member_subject(rworld.member), mode="random")
    quarter = Quarter.current()
    rows = review_selectors.my_reviews(rworld.secretary, quarter)
    missing = sum(1 for r in rows if not r.is_done)
    assert 0 < missing < len(rows)
    assert review_selectors.missing_count(rworld.secretary, quarter) == missing


def _branch_with(n: int):
    county = make_org(f"县委{n}", level="committee")
    branch = make_org(f"支部{n}", county)
    secretary = UserFactory()
    make_position(secretary, branch, Position.Kind.SECRETARY)
    for i in range(n):
        member = MemberFactory(name=f"成员{n}-{i}", organization=branch)
        if i % 2:
            submit_self_evaluation(member_subject(member), secretary)
        if i % 3 == 0:
            signed_review(secretary, member_subject(member), mode="random")
    leader = UserFactory()
    make_position(leader, branch, Position.Kind.LEADER_CONTACT)
    make_position(secretary, county, Position.Kind.SECRETARY)
    signed_review(leader, org_subject(branch), mode="random")
    return secretary


def _count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_it_keeps_the_my_reviews_page_flat_for_5_and_30_subjects(client):
    url = reverse("reviews:my_reviews")
    few, many = _branch_with(5), _branch_with(30)
    assert _count(client, few, url) == _count(client, many, url)


def test_it_shows_a_half_yearly_subject_its_half_s_review_in_either_quarter(rworld):
    """The town reviews half-yearly: 张三's review made in Q3 is the second half's, shown in
    Q3 and Q4 alike, and nothing is missing for Q3."""
    w = rworld
    year = today().year
    calendar_set(organization=w.town, year=year, content=calendar_content(), version=0, by=w.office)
    made = review_services.review_create(
        by=w.secretary,
        subject=member_subject(w.member),
        quarter=Quarter(year, 3),
        content=content(mode="random"),
    )
    for q in (3, 4):
        rows = review_selectors.my_reviews(w.secretary, Quarter(year, q))
        row = next(r for r in rows if r.subject.key == f"m:{w.member.pk}")
        assert (row.quarter, row.review) == (Quarter(year, 4), made)
    assert review_selectors.missing_count(w.secretary, Quarter(year, 3)) == 0
