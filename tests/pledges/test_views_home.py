"""The home redirect, the organization page and my pledges: content and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pledges.models import Member, Pledge
from tests.factories import MemberFactory, make_org

TODAY = timezone.localdate
S = Pledge.Status


S = Pledge.Status


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _bulk_pledges(world, members: int, per_member: int, start: int = 0) -> None:
    """Many rows quickly: straight inserts, since only the page's reads are under test."""
    batch = Member.objects.bulk_create(
        MemberFactory.build(organization=world.branch, name=f"批量{i}")
        for i in range(start, start + members)
    )
    Pledge.objects.bulk_create(
        Pledge(
            owner_org=world.branch,
            owner_member=member,
            kind=Pledge.Kind.PRACTICAL,
            title=f"事项{i}",
            measures="措施",
            deadline=TODAY(),
            expected_result="效果",
            year=TODAY().year,
            status=S.IN_PROGRESS,
            created_by=world.secretary,
        )
        for member in batch
        for i in range(per_member)
    )


def test_it_lists_who_has_not_pledged(world, client, pledge_in):
    MemberFactory(name="王五", organization=world.branch)
    pledge_in("draft", world)
    client.force_login(world.secretary)
    body = client.get(f"/org/{world.branch.pk}/").content.decode()
    assert "尚未承诺：1 人" in body
    assert "王五" in body


def test_it_shows_counts_per_state_to_the_office(world, client, pledge_in):
    pledge_in("in_progress", world)
    pledge_in("closed", world)
    client.force_login(world.office)
    response = client.get(f"/org/{world.town.pk}/")
    assert response.context["counts"][S.IN_PROGRESS] == 1
    assert response.context["counts"][S.CLOSED] == 1
    children = dict((c.name, counts) for c, counts in response.context["children_page"])
    assert children["东街社区党支部"]["total"] == 2


def test_it_sends_each_role_home(world, client):
    client.force_login(world.member_user)
    assert client.get("/")["Location"] == "/me/"
    client.force_login(world.office)
    assert client.get("/")["Location"] == f"/org/{world.town.pk}/"
    client.force_login(world.leader)
    assert client.get("/")["Location"] == "/reviews/my/"
    client.force_login(world.stranger)
    assert "尚未关联" in client.get("/").content.decode()


@pytest.mark.parametrize("role", ["secretary", "office"])
def test_it_keeps_the_branch_page_query_count_flat(world, client, role, pledge_in):
    client.force_login(getattr(world, role))
    url = f"/org/{world.branch.pk}/"
    for _ in range(2):
        pledge_in("in_progress", world)
    few = _count_queries(client, url)
    for i in range(15):
        member = MemberFactory(organization=world.branch, name=f"成员{i}")
        world.member = member
        pledge_in("published", world)
        pledge_in("closed", world)
    many = _count_queries(client, url)
    assert few == many


def test_it_keeps_the_committee_page_query_count_flat(world, client):

    client.force_login(world.office)
    url = f"/org/{world.town.pk}/"
    few = _count_queries(client, url)
    for i in range(25):
        make_org(f"新支部{i}", world.town)
    many = _count_queries(client, url)
    assert few == many


def test_it_keeps_my_pledges_query_count_flat(world, client, pledge_in):
    client.force_login(world.member_user)
    pledge_in("in_progress", world)
    few = _count_queries(client, "/me/")
    for _ in range(10):
        pledge_in("closed", world)
    assert _count_queries(client, "/me/") == few


def test_it_keeps_the_query_count_the_same_for_5_and_500_rows(world, client):
    client.force_login(world.secretary)
    url = f"/org/{world.branch.pk}/"
    _bulk_pledges(world, members=1, per_member=5)
    few = _count_queries(client, url)
    _bulk_pledges(world, members=99, per_member=5, start=1)
    assert Pledge.objects.count() == 500
    assert _count_queries(client, url) == few


def test_it_links_only_the_breadcrumbs_the_user_may_open(world, client):
    client.force_login(world.secretary)
    body = client.get(f"/org/{world.branch.pk}/").content.decode()
    assert f'href="/org/{world.town.pk}/"' not in body
    assert "城关镇党委" in body


def test_it_lists_branch_pledges_awaiting_the_offices_approval(world, client, pledge_in):
    pledge = pledge_in("submitted", world, member=False, title="支部承诺待审")
    client.force_login(world.office)
    response = client.get(f"/org/{world.town.pk}/")
    assert [p.pk for p in response.context["awaiting"]] == [pledge.pk]
    assert "支部承诺待审" in response.content.decode()


@pytest.mark.parametrize(
    "username", ["stranger", "other_secretary", "other_member_user", "far_office"]
)
def test_it_refuses_outsiders_the_branch_page(world, client, username):
    client.force_login(getattr(world, username))
    assert client.get(f"/org/{world.branch.pk}/").status_code == 404


@pytest.mark.parametrize("username", ["secretary", "office", "leader", "member_user"])
def test_it_serves_the_branch_page_to_its_people(world, client, username):
    client.force_login(getattr(world, username))
    assert client.get(f"/org/{world.branch.pk}/").status_code == 200


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(
    ("who", "url", "queries"),
    [
        pytest.param("secretary", "/", 4, id="the_home_redirect"),
        pytest.param("secretary", "/org/{branch}/", 14, id="the_branch_page"),
        pytest.param("office", "/org/{town}/", 13, id="the_committee_page"),
        pytest.param("member_user", "/me/", 7, id="my_pledges"),
    ],
)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)
