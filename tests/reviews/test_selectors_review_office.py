"""The office's reviews page of its subtree."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pledges.models import Position
from reviews.models import Quarter, Review
from reviews.selectors import review as review_selectors
from tests.factories import (
    MemberFactory,
    UserFactory,
    make_calendar,
    make_org,
    make_position,
    make_review,
    org_subject,
    signed_review,
    today,
)


def _count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_it_keeps_the_office_page_flat(client):
    counts = []
    for n in (5, 30):
        county = make_org(f"县委O{n}", level="committee")
        office = UserFactory()
        make_position(office, county, Position.Kind.OFFICE)
        for i in range(n):
            branch = make_org(f"支部O{n}-{i}", county)
            leader = UserFactory()
            make_position(leader, branch, Position.Kind.LEADER_CONTACT)
            make_position(UserFactory(), branch, Position.Kind.SECRETARY)
            MemberFactory(name=f"党员O{n}-{i}", organization=branch)
            signed_review(leader, org_subject(branch), mode="random")
        for kind in ("organization", "member"):
            url = reverse("reviews:office", args=[county.pk]) + f"?kind={kind}"
            counts.append((kind, _count(client, office, url)))
    assert counts[0] == counts[2] and counts[1] == counts[3]


def test_it_shows_a_half_yearly_subject_as_not_due_in_the_first_quarter(rworld):
    w = rworld
    year = today().year
    make_calendar(w.branch, year)
    for q, due in ((1, False), (2, True)):
        rows = review_selectors.office_subjects(
            org=w.town,
            quarter=Quarter(year, q),
            kind="organization",
            page_objects=[w.branch, w.other_branch],
        )
        by_key = {r.subject.key: r for r in rows}
        branch, secretary = by_key[f"o:{w.branch.pk}"], by_key[f"s:{w.branch.pk}"]
        assert branch.is_due is secretary.is_due is due
        assert by_key[f"o:{w.other_branch.pk}"].is_due
    q1 = Quarter(year, 1)
    rows = review_selectors.office_subjects(
        org=w.town, quarter=q1, kind="member", page_objects=[w.member, w.other_member]
    )
    assert [(r.subject.name, r.is_due) for r in rows] == [("张三", False), ("李四", True)]
    # Never overdue where nothing is owed, though the quarter has ended.
    assert not rows[0].is_overdue and rows[1].is_overdue == q1.is_ended()


def test_it_writes_not_due_on_the_office_page_at_the_same_cost(client, rworld):
    w = rworld
    year = today().year
    url = reverse("reviews:office", args=[w.town.pk]) + f"?kind=member&q={year}Q1"
    before = _count(client, w.office, url)
    make_calendar(w.branch, year)
    assert _count(client, w.office, url) == before
    html = client.get(url).content.decode()
    rows = re.findall(r"<tr><td>(.*?)</tr>", html, flags=re.S)
    zhang = next(r for r in rows if "张三" in r)
    li = next(r for r in rows if "李四" in r)
    assert "本季度无需点评" in zhang and "未点评" not in zhang
    assert "未点评" in li and "本季度无需点评" not in li


def test_it_names_a_grade_below_off_the_office_s_scale(client, rworld):
    w = rworld
    year = today().year
    make_calendar(w.town, year, cadence="quarter")
    make_review(Quarter(year, 1), Review.Grade.FAIRLY_GOOD, member=w.member)
    client.force_login(w.office)
    html = client.get(reverse("reviews:office", args=[w.town.pk]) + f"?q={year}Q1").content
    words = re.search(r"好 \d+ · .*?</div>", html.decode(), flags=re.S).group(0)
    assert "中 0" in words and "较好 1" in words and "一般" not in words
