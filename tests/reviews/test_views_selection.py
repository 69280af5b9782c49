"""Pages of 组织评选: fixed query counts, strangers refused, two sessions kept apart."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from pledges.models import Pledge
from reviews.models import Nomination, Quarter, Review, SelectionRound
from reviews.selectors import selection as selection_selectors
from reviews.services import selection as services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    end_publicity,
    make_item,
    make_org,
    make_position,
    make_review,
    nominate,
    open_selection,
    publicise_selection,
    record,
    today,
)


@pytest.fixture
def filled(world):
    """`filled(n)`: a round with n nominated members of the branch, each with a pledge, a
    review with an open item and an annual grade (everything the nominee's year reads)."""

    def fill(n: int) -> SelectionRound:
        selection = open_selection(world, quotas={world.branch.pk: 99, world.other_branch.pk: 1})
        q = Quarter.current()
        for i in range(n):
            m = MemberFactory(organization=world.branch, name=f"党员{i}")
            PledgeFactory(
                owner_member=m,
                status=Pledge.Status.CLOSED,
                closed_on=today(),
                year=today().year,
            )
            make_item(make_review(q, Review.Grade.GOOD, member=m), q.end)
            record(world, member=m, exemplary=True)
            nominate(selection, world.branch, m, world.secretary)
        return selection

    return fill


@pytest.mark.parametrize("n", [1, 60])
def test_it_reads_the_nominations_page_in_a_fixed_number_of_queries(
    world, client, filled, django_assert_num_queries, n
):
    selection = filled(n)
    client.force_login(world.office)
    url = reverse("reviews:selection_round", args=[selection.pk])
    with django_assert_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="nomination-row"') == min(n, 50)
    with django_assert_num_queries(14):
        response = client.get(url, {"page": 2})
    assert response.content.decode().count('data-testid="nomination-row"') == (10 if n > 50 else 1)


def test_it_reads_the_year_of_the_rows_on_the_page_only(world, client, filled, monkeypatch):
    selection = filled(60)
    read = []
    real = selection_selectors.nominee_years
    monkeypatch.setattr(
        selection_selectors,
        "nominee_years",
        lambda year, members, orgs: (
            read.append(len(members) + len(orgs)) or real(year, members, orgs)
        ),
    )
    client.force_login(world.office)
    client.get(reverse("reviews:selection_round", args=[selection.pk]), {"page": 2})
    assert read == [10]


def test_it_filters_by_unit_and_status_and_carries_them_through_the_pager(world, client, filled):
    selection = filled(55)
    nominate(selection, world.other_branch, world.other_member, world.other_secretary)
    client.force_login(world.office)
    url = reverse("reviews:selection_round", args=[selection.pk])
    page = client.get(url, {"unit": world.other_branch.pk}).content.decode()
    assert page.count('data-testid="nomination-row"') == 1 and "李四" in page
    page = client.get(url, {"unit": world.branch.pk, "status": "nominated"}).content.decode()
    assert page.count('data-testid="nomination-row"') == 50
    assert f"unit={world.branch.pk}&amp;status=nominated&amp;page=2" in page
    assert (
        client.get(url, {"status": "shortlisted"})
        .content.decode()
        .count('data-testid="nomination-row"')
        == 0
    )
    assert client.get(url, {"unit": "x", "status": "nope", "page": "9"}).status_code == 200


def test_it_shortlists_on_one_page_and_keeps_the_other_page_s_choice(world, client, filled):
    selection = filled(60)
    ids = list(selection.nominations.order_by("unit__path", "id").values_list("pk", flat=True))
    client.force_login(world.office)
    url = reverse("reviews:selection_round_shortlist", args=[selection.pk])
    first, second = ids[:50], ids[50:]
    response = client.post(
        url, {"nomination": first[:2], "shown": first, "version": selection.edit_version}
    )
    assert response.url == reverse("reviews:selection_round", args=[selection.pk])
    selection.refresh_from_db()
    response = client.post(
        url,
        {"nomination": [second[0]], "shown": second, "page": 2, "version": selection.edit_version},
    )
    assert response.url.endswith("?page=2")
    shortlisted = set(
        selection.nominations.filter(status="shortlisted").values_list("pk", flat=True)
    )
    assert shortlisted == {first[0], first[1], second[0]}
    page = client.get(response.url).content.decode()
    assert page.count(" checked ") == 1 and 'data-testid="page-choice"' in page


def test_it_decides_on_one_page_and_awards_the_short_list_of_the_others(world, client, filled):
    selection = filled(60)
    publicise_selection(world, selection)
    end_publicity(selection)
    ids = list(selection.nominations.order_by("unit__path", "id").values_list("pk", flat=True))
    client.force_login(world.office)
    url = reverse("reviews:selection_round_decide", args=[selection.pk])
    client.post(
        url,
        {"nomination": ids[51:], "shown": ids[50:], "page": 2, "version": selection.edit_version},
    )
    statuses = dict(selection.nominations.values_list("pk", "status"))
    assert statuses[ids[50]] == "not_awarded"
    assert all(statuses[pk] == "awarded" for pk in ids[:50] + ids[51:])


@pytest.mark.parametrize("n", [1, 5])
def test_it_reads_the_nominate_page_in_a_fixed_number_of_queries(
    world, client, filled, django_assert_num_queries, n
):
    selection = filled(0)
    for i in range(n):
        m = MemberFactory(organization=world.branch, name=f"候选{i}")
        record(world, member=m, exemplary=True)
    client.force_login(world.secretary)
    url = reverse("reviews:nomination_new", args=[selection.pk, world.branch.pk])
    with django_assert_num_queries(12):
        response = client.get(url, {"q": "候选"})
    assert response.status_code == 200
    assert response.content.decode().count('name="nominee"') == n


@pytest.mark.parametrize("n", [1, 4])
def test_it_reads_the_list_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries, n
):
    for _ in range(n):
        open_selection(world)
    client.force_login(world.office)
    with django_assert_num_queries(6):
        response = client.get(reverse("reviews:selection_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 4])
def test_it_reads_the_open_form_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries, n
):
    for i in range(n):
        make_org(f"新建党支部{i}", world.town)
    client.force_login(world.office)
    with django_assert_num_queries(6):
        response = client.get(reverse("reviews:selection_open", args=[world.town.pk]))
    assert response.content.decode().count('name="quota_') == n + 2


@pytest.mark.parametrize("who", ["stranger", "far_office", "other_member_user"])
def test_it_refuses_a_stranger_every_page_and_move(world, client, who):
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    client.force_login(getattr(world, who))
    assert client.get(reverse("reviews:selection_round", args=[selection.pk])).status_code == 404
    for name, pk in [
        ("reviews:selection_round_shortlist", selection.pk),
        ("reviews:selection_round_decide", selection.pk),
        ("reviews:nomination_withdraw", n.pk),
    ]:
        assert client.post(reverse(name, args=[pk]), {"nomination": n.pk}).status_code == 404
    nominate_url = reverse("reviews:nomination_new", args=[selection.pk, world.branch.pk])
    assert client.post(nominate_url, {"nominee": f"m:{world.member.pk}"}).status_code == 404
    assert Nomination.objects.get().status == "nominated"


def test_it_refuses_the_secretary_the_short_list_with_403(world, client):
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    client.force_login(world.secretary)
    url = reverse("reviews:selection_round_shortlist", args=[selection.pk])
    assert client.post(url, {"nomination": n.pk, "version": 1}).status_code == 403
    assert client.get(reverse("reviews:selection_open", args=[world.branch.pk])).status_code == 403


def test_it_opens_a_round_from_the_form(world, client):
    client.force_login(world.office)
    url = reverse("reviews:selection_open", args=[world.town.pk])
    page = client.get(url).content.decode()
    assert world.branch.name in page
    response = client.post(
        url,
        {
            "honour": "excellent_member",
            "title": "2026年七一评选",
            "year": today().year,
            "nominations_due": (today() + datetime.timedelta(days=5)).isoformat(),
            f"quota_{world.branch.pk}": "2",
            f"quota_{world.other_branch.pk}": "",
        },
    )
    selection = SelectionRound.objects.get()
    assert response.status_code == 302 and response["Location"] == selection.get_absolute_url()
    assert list(selection.quotas.values_list("organization_id", "places")) == [(world.branch.pk, 2)]


def test_it_nominates_from_the_page_and_shows_the_caution(world, client):
    record(world, member=world.member, grade="poor")
    selection = open_selection(world)
    client.force_login(world.secretary)
    url = reverse("reviews:nomination_new", args=[selection.pk, world.branch.pk])
    assert "年度总评为“差”" in client.get(url, {"q": "张三"}).content.decode()
    data = {"nominee": f"m:{world.member.pk}", "reason": "带头服务群众"}
    page = client.post(url, data).content.decode()
    assert "须填写书面说明" in page and not Nomination.objects.exists()
    response = client.post(url, {**data, "caution_reason": "已整改到位"})
    assert response.status_code == 302
    assert Nomination.objects.get().caution_reason == "已整改到位"


def test_it_refuses_the_second_of_two_sessions_nominating_the_same_member(world):
    selection = open_selection(world)
    colleague = UserFactory(username="office_b")
    make_position(colleague, world.town, "office")
    a, b = Client(), Client()
    a.force_login(world.secretary)
    b.force_login(colleague)
    url = reverse("reviews:nomination_new", args=[selection.pk, world.branch.pk])
    data = {"nominee": f"m:{world.member.pk}", "reason": "带头服务群众"}
    assert a.post(url, data).status_code == 302
    page = b.post(url, {**data, "reason": "另一个理由"}).content.decode()
    assert "已被推荐" in page
    assert Nomination.objects.get().reason == "带头服务群众"


def test_it_refuses_the_second_of_two_sessions_changing_the_short_list(world):
    selection = open_selection(world)
    first = nominate(selection, world.branch, world.member, world.secretary)
    second = nominate(selection, world.other_branch, world.other_member, world.other_secretary)
    colleague = UserFactory(username="office_b")
    make_position(colleague, world.town, "office")
    a, b = Client(), Client()
    a.force_login(world.office)
    b.force_login(colleague)
    page = reverse("reviews:selection_round", args=[selection.pk])
    a.get(page), b.get(page)
    url = reverse("reviews:selection_round_shortlist", args=[selection.pk])
    version = selection.edit_version
    shown = [first.pk, second.pk]
    a.post(url, {"nomination": [first.pk], "shown": shown, "version": version})
    text = b.post(url, {"nomination": [second.pk], "shown": shown, "version": version}, follow=True)
    assert "已被修改" in text.content.decode()
    assert dict(Nomination.objects.values_list("pk", "status")) == {
        first.pk: "shortlisted",
        second.pk: "nominated",
    }


def test_it_refuses_a_second_decision(world, client):
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    publicise_selection(world, selection)
    end_publicity(selection)
    client.force_login(world.office)
    url = reverse("reviews:selection_round_decide", args=[selection.pk])
    version = selection.edit_version
    client.post(url, {"nomination": [n.pk], "version": version})
    page = client.post(url, {"nomination": [], "version": version}, follow=True)
    assert "公示结束后才能" in page.content.decode()
    assert Nomination.objects.get().status == "awarded"


def test_it_names_the_honour_beside_the_star_on_the_year_page(world, client):
    grade = record(world, member=world.member)
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    publicise_selection(world, selection)
    end_publicity(selection)
    services.selection_round_decide(
        by=world.office, selection=selection, awarded_ids=[n.pk], version=selection.edit_version
    )
    grade.refresh_from_db()
    assert grade.exemplary
    client.force_login(world.office)
    page = client.get(reverse("reviews:assessment", args=[world.branch.pk])).content.decode()
    assert (
        '<span class="badge bg-warning text-dark" data-testid="honour">优秀共产党员</span>' in page
    )


def test_it_shows_a_secretary_his_own_unit_s_nominations_only(world, client):
    selection = open_selection(world)
    nominate(selection, world.branch, world.member, world.secretary)
    nominate(selection, world.other_branch, world.other_member, world.other_secretary)
    client.force_login(world.secretary)
    page = client.get(reverse("reviews:selection_round", args=[selection.pk])).content.decode()
    assert page.count('data-testid="nomination-row"') == 1
    assert "张三" in page and "李四" not in page
    assert 'data-testid="shortlist"' not in page
