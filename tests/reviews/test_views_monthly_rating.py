"""The month page of 每月评比: one load, one submit for the branch; publication; the public page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import MonthlyRating, MonthlyRatingSheet
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    make_org,
    make_position,
    rate_month,
    this_month,
)

G, FG, AV, P = "good", "fairly_good", "average", "poor"


def _url(world) -> str:
    year, month = this_month()
    return f"{reverse('reviews:monthly_rating', args=[world.branch.pk])}?month={year}-{month:02d}"


def _form_fields(html: str) -> dict[str, str]:
    """What the browser would post back untouched."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        fields[name] = chosen.group(1) if chosen else ""
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def _line(member, grades) -> dict:
    return {f"m{member.pk}-g{i}": g for i, g in enumerate(grades)}


def test_it_rates_the_whole_branch_in_one_submit(world, client):
    wang = MemberFactory(name="王五", organization=world.branch)
    client.force_login(world.secretary)
    fields = _form_fields(client.get(_url(world)).content.decode())
    page = client.post(
        _url(world),
        {**fields, **_line(world.member, [G, G, FG]), **_line(wang, [AV, P, AV])},
        follow=True,
    ).content.decode()
    assert "已保存 2 名党员的评比" in page
    assert dict(MonthlyRating.objects.values_list("member__name", "grade")) == {
        "张三": G,
        "王五": AV,
    }


@pytest.mark.parametrize("members", [1, 6])
def test_it_reads_the_month_page_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries, members
):
    year, _month = this_month()
    made = [world.member] + [MemberFactory(organization=world.branch) for _ in range(members - 1)]
    for m in made:
        PledgeFactory(owner_member=m, status="in_progress", year=year)
    rate_month(world, {m: [G, G, G] for m in made})
    client.force_login(world.secretary)
    with django_assert_num_queries(11):
        assert client.get(_url(world)).status_code == 200


@pytest.mark.parametrize("branches", [1, 5])
def test_it_shows_a_committee_its_branches_and_criteria(
    world, client, django_assert_num_queries, branches
):
    rate_month(world, {world.member: [G, G, G]}, publish=True)
    for i in range(branches - 1):
        make_org(f"新建党支部{i}", world.town)
    client.force_login(world.office)
    url = reverse("reviews:monthly_rating", args=[world.town.pk])
    with django_assert_num_queries(10):
        text = client.get(url).content.decode()
    assert "践诺进度、记实、群众反映" in text and "已公布" in text and "未评比" in text


def test_it_refuses_a_leader_s_save_and_a_save_of_a_published_month(world, client):
    sheet = rate_month(world, {world.member: [G, G, G]})
    client.force_login(world.leader)
    assert client.get(_url(world)).status_code == 200
    assert client.post(_url(world), _line(world.member, [P, P, P])).status_code == 403
    client.force_login(world.secretary)
    client.post(reverse("reviews:monthly_rating_publish", args=[sheet.pk]))
    rating = MonthlyRating.objects.get()
    page = client.post(
        _url(world),
        {**_line(world.member, [P, P, P]), f"m{world.member.pk}-version": rating.edit_version},
        follow=True,
    ).content.decode()
    assert "已经公布" in page and MonthlyRating.objects.get().grade == G


def test_it_saves_the_committee_s_criteria_and_refuses_a_stale_form(world, client):
    client.force_login(world.office)
    url = reverse("reviews:monthly_rating_criteria", args=[world.town.pk])
    client.post(url, {"names": "践诺\n学习", "version": 0})
    text = client.post(url, {"names": "别的", "version": 0}, follow=True).content.decode()
    assert "已被修改" in text
    assert "践诺、学习" in text


@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary", "member_user"])
def test_it_refuses_a_stranger_the_month_page_and_its_moves(world, client, who):
    sheet = rate_month(world, {world.member: [G, G, G]})
    client.force_login(getattr(world, who))
    assert client.get(_url(world)).status_code in (403, 404)
    assert client.post(_url(world), _line(world.member, [P, P, P])).status_code in (403, 404)
    publish = reverse("reviews:monthly_rating_publish", args=[sheet.pk])
    assert client.post(publish).status_code in (403, 404)
    sheet.refresh_from_db()
    assert sheet.published_at is None and MonthlyRating.objects.get().grade == G


def test_it_refuses_the_line_another_session_saved_after_this_one_opened(world):
    colleague = UserFactory(username="office_b")
    make_position(colleague, world.town, "office")
    wang = MemberFactory(name="王五", organization=world.branch)
    a, b = Client(), Client()
    a.force_login(world.secretary)
    b.force_login(colleague)
    seen_by_a = _form_fields(a.get(_url(world)).content.decode())
    seen_by_b = _form_fields(b.get(_url(world)).content.decode())
    a.post(_url(world), {**seen_by_a, **_line(world.member, [G, G, G])})
    text = b.post(
        _url(world),
        {**seen_by_b, **_line(world.member, [P, P, P]), **_line(wang, [AV, AV, AV])},
        follow=True,
    ).content.decode()
    assert "张三：" in text and "已被修改" in text and "已保存 1 名党员的评比" in text
    assert dict(MonthlyRating.objects.values_list("member__name", "grade")) == {
        "张三": G,
        "王五": AV,
    }


def test_it_publishes_the_standings_on_the_branch_s_public_page(world, client):
    sheet = rate_month(world, {world.member: [G, FG, G]})
    public = reverse("publicity:organization", args=[world.branch.pk])
    assert "public-monthly-rating" not in client.get(public).content.decode()
    client.force_login(world.secretary)
    publish = reverse("reviews:monthly_rating_publish", args=[sheet.pk])
    client.post(publish)
    again = client.post(publish, follow=True).content.decode()
    assert "已经公布" in again
    assert MonthlyRatingSheet.objects.get().published_at is not None
    client.logout()
    text = client.get(public).content.decode()
    assert "public-monthly-rating" in text and "张三：<strong>好</strong>" in text
