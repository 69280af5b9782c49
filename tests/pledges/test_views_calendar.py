"""The office's calendar page and its one move."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import Calendar, Pledge
from pledges.services.calendar import calendar_set
from tests.factories import PledgeFactory, calendar_content, make_org, today

YEAR = today().year


def _post(**extra) -> dict:
    data = {
        "year": str(YEAR),
        "pledge_period": "half",
        "review_cadence": "half",
        "mass_evaluation_cadence": "half",
        "grade_scale": "three",
        "filing_first_half": f"{YEAR}-07-15",
        "filing_second_half": f"{YEAR + 1}-01-15",
        "version": "0",
    }
    data.update(extra)
    return data


def test_it_sets_the_calendar_from_the_office_page(world, client):
    client.force_login(world.office)
    page = client.get(reverse("pledges:calendar", args=[world.town.pk])).content.decode()
    assert "系统默认设置" in page and re.search(r'value="four"[^>]*checked', page)
    response = client.post(reverse("pledges:calendar_set", args=[world.town.pk]), _post())
    assert response.status_code == 302
    assert Calendar.objects.get().grade_scale == "three"
    page = client.get(response.url).content.decode()
    assert "工作日历已保存" in page and "本党委已自行设置" in page


def test_it_shows_a_branch_where_its_calendar_comes_from(world, client):
    calendar_set(
        organization=world.town, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    client.force_login(world.office)
    page = client.get(reverse("pledges:calendar", args=[world.branch.pk])).content.decode()
    assert "执行上级“城关镇党委”的设置" in page


def test_it_says_why_a_bad_post_changed_nothing(world, client):
    client.force_login(world.office)
    url = reverse("pledges:calendar_set", args=[world.town.pk])
    response = client.post(url, _post(filing_first_half="not a date"), follow=True)
    assert "日期" in response.content.decode() and not Calendar.objects.exists()
    response = client.post(url, _post(filing_first_half="\x00"), follow=True)
    assert response.status_code in (200, 400) and not Calendar.objects.exists()


def test_it_refuses_the_second_of_two_sessions_setting_the_calendar(world, client):
    """A and B open the page (no row yet); A saves; B's save is refused, A's kept."""
    client.force_login(world.office)
    url = reverse("pledges:calendar_set", args=[world.town.pk])
    client.post(url, _post(grade_scale="three"))  # A
    response = client.post(url, _post(grade_scale="four"), follow=True)  # B, version 0
    assert "已被修改" in response.content.decode()
    assert Calendar.objects.get().grade_scale == "three"


def test_it_drops_the_calendar_from_the_office_page(world, client):
    calendar_set(
        organization=world.town, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    row = calendar_set(
        organization=world.branch,
        year=YEAR,
        content=calendar_content(grade_scale="four"),
        version=0,
        by=world.office,
    )
    client.force_login(world.office)
    url = reverse("pledges:calendar", args=[world.branch.pk])
    page = client.get(url).content.decode()
    assert "恢复沿用上级设置" in page and "改为执行上级“城关镇党委”的设置" in page
    response = client.post(
        reverse("pledges:calendar_drop", args=[world.branch.pk]),
        {"year": str(YEAR), "version": str(row.edit_version)},
    )
    assert response.status_code == 302 and response.url == f"{url}?year={YEAR}"
    page = client.get(response.url).content.decode()
    assert "已恢复沿用上级设置" in page and "执行上级“城关镇党委”的设置" in page
    assert 'data-testid="calendar-drop"' not in page
    assert not Calendar.objects.filter(organization=world.branch).exists()


def test_it_says_why_a_drop_in_a_year_under_way_changed_nothing(world, client):
    row = calendar_set(
        organization=world.town, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    PledgeFactory(owner_member=world.member, year=YEAR, status=Pledge.Status.DRAFT)
    client.force_login(world.office)
    response = client.post(
        reverse("pledges:calendar_drop", args=[world.town.pk]),
        {"year": str(YEAR), "version": str(row.edit_version)},
        follow=True,
    )
    assert "年度中途保持年初的设置" in response.content.decode()
    assert Calendar.objects.filter(organization=world.town).exists()


def test_it_refuses_the_second_of_two_sessions_dropping_the_calendar(world):
    """A and B open the page; A saves a change; B's drop (made on the older page) is refused
    and A's change kept. Once A drops it, a second drop is refused too."""
    row = calendar_set(
        organization=world.town, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    a, b = Client(), Client()
    a.force_login(world.office)
    b.force_login(world.office)
    seen = str(row.edit_version)
    a.post(reverse("pledges:calendar_set", args=[world.town.pk]), _post(version=seen))
    url = reverse("pledges:calendar_drop", args=[world.town.pk])
    second = b.post(url, {"year": str(YEAR), "version": seen}, follow=True)
    assert "已被修改" in second.content.decode()
    row = Calendar.objects.get()
    assert row.edit_version == int(seen) + 1
    assert a.post(url, {"year": str(YEAR), "version": str(row.edit_version)}).status_code == 302
    again = b.post(url, {"year": str(YEAR), "version": str(row.edit_version)}, follow=True)
    assert "已在沿用上级设置" in again.content.decode()
    assert not Calendar.objects.exists()


@pytest.mark.parametrize(
    ("who", "org", "code"),
    [
        ("stranger", "town", 404),
        ("far_office", "town", 404),
        ("secretary", "town", 404),
        ("leader", "town", 403),
        ("secretary", "branch", 403),
    ],
)
def test_it_refuses_a_stranger_the_drop(world, client, who, org, code):
    org = getattr(world, org)
    row = calendar_set(
        organization=org, year=YEAR, content=calendar_content(), version=0, by=world.office
    )
    client.force_login(getattr(world, who))
    response = client.post(
        reverse("pledges:calendar_drop", args=[org.pk]),
        {"year": str(YEAR), "version": str(row.edit_version)},
    )
    assert response.status_code == code
    assert Calendar.objects.filter(organization=org).exists()


def test_it_answers_a_get_of_the_drop_with_405(world, client):
    client.force_login(world.office)
    response = client.get(reverse("pledges:calendar_drop", args=[world.town.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("who", ["stranger", "far_office", "secretary", "leader", "member_user"])
def test_it_refuses_a_stranger_the_page_and_the_move(world, client, who):
    client.force_login(getattr(world, who))
    page = client.get(reverse("pledges:calendar", args=[world.town.pk]))
    move = client.post(reverse("pledges:calendar_set", args=[world.town.pk]), _post())
    assert page.status_code in (403, 404) and move.status_code in (403, 404)
    assert not Calendar.objects.exists()


def test_it_answers_a_get_of_the_move_with_405(world, client):
    client.force_login(world.office)
    response = client.get(reverse("pledges:calendar_set", args=[world.town.pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("below", [1, 6])
def test_it_reads_the_calendar_page_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries, below
):
    for i in range(below):
        branch = make_org(f"自设支部{i}", world.town)
        calendar_set(
            organization=branch, year=YEAR, content=calendar_content(), version=0, by=world.office
        )
    client.force_login(world.office)
    with django_assert_num_queries(9):
        client.get(reverse("pledges:calendar", args=[world.town.pk]))


@pytest.mark.parametrize("below", [1, 6])
def test_it_reads_the_page_of_an_own_calendar_with_its_drop_in_the_same_queries(
    world, client, django_assert_num_queries, below
):
    """The page of a row of its own also says what a drop would follow: no query more."""
    for org in [world.town, *(make_org(f"自设支部{i}", world.town) for i in range(below))]:
        calendar_set(
            organization=org, year=YEAR, content=calendar_content(), version=0, by=world.office
        )
    client.force_login(world.office)
    with django_assert_num_queries(9):
        page = client.get(reverse("pledges:calendar", args=[world.town.pk]))
    assert 'data-testid="calendar-drop"' in page.content.decode()
