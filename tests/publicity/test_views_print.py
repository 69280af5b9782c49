"""Print: the branch's 公开承诺书 and a member's 党员公开承诺卡, every field and signature lines."""

import pytest
from django.urls import reverse

from pledges.models import Pledge
from tests.factories import MemberFactory, PledgeFactory, UserFactory


@pytest.fixture
def filed(world):
    w = world
    w.org_pledge = PledgeFactory(
        owner_org=w.branch,
        status=Pledge.Status.PUBLISHED,
        title="建设便民服务站",
        measures="腾出用房，排班值守",
        expected_result="群众办事不出社区",
    )
    w.member_pledge = PledgeFactory(
        owner_org=w.branch,
        owner_member=w.member,
        status=Pledge.Status.APPROVED,
        title="结对帮扶两户",
        measures="每月上门两次",
        expected_result="帮扶户满意",
    )
    w.draft = PledgeFactory(owner_org=w.branch, owner_member=w.member, title="草稿不印")
    return w


def test_it_prints_the_branch_letter_with_every_field(client, filed):
    client.force_login(filed.secretary)
    html = client.get(reverse("publicity:print_letter", args=[filed.branch.pk])).content.decode()
    for text in (
        "公开承诺书",
        "建设便民服务站",
        "腾出用房，排班值守",
        "群众办事不出社区",
        "书记签名",
    ):
        assert text in html
    assert "结对帮扶两户" not in html


def test_it_prints_a_member_card_with_every_field_and_signature_lines(client, filed):
    client.force_login(filed.member_user)
    html = client.get(reverse("publicity:print_card", args=[filed.member.pk])).content.decode()
    for text in (
        "党员公开承诺卡",
        "结对帮扶两户",
        "每月上门两次",
        "帮扶户满意",
        "承诺人签名",
        "日期",
    ):
        assert text in html
    assert "草稿不印" not in html


@pytest.mark.parametrize("who", ["other_secretary", "other_member_user", "stranger", "far_office"])
def test_it_refuses_a_stranger_the_printouts(client, filed, who):
    client.force_login(getattr(filed, who))
    assert client.get(reverse("publicity:print_letter", args=[filed.branch.pk])).status_code == 404
    assert client.get(reverse("publicity:print_card", args=[filed.member.pk])).status_code == 404


def test_it_refuses_a_fellow_member_another_members_card_but_shows_the_branch_letter(client, filed):
    fellow = MemberFactory(organization=filed.branch, user=UserFactory(username="fellow"))
    client.force_login(fellow.user)
    assert client.get(reverse("publicity:print_card", args=[filed.member.pk])).status_code == 404
    assert client.get(reverse("publicity:print_letter", args=[filed.branch.pk])).status_code == 200


@pytest.mark.parametrize("year", ["abc", "1999", "99999999999999999999"])
def test_it_prints_this_year_for_an_odd_year(client, filed, year):
    client.force_login(filed.secretary)
    url = reverse("publicity:print_letter", args=[filed.branch.pk])
    html = client.get(url, {"year": year}).content.decode()
    assert "建设便民服务站" in html


def test_it_prints_my_pledges_with_measures_results_and_a_signature_line(client, filed):
    client.force_login(filed.member_user)
    html = client.get(reverse("pledges:my_pledges")).content.decode()
    printed = html[html.index('data-testid="my-pledges-print"') :]
    for text in ("每月上门两次", "帮扶户满意", "承诺人签名"):
        assert text in printed
    assert reverse("publicity:print_card", args=[filed.member.pk]) in html


def test_it_prints_in_a_fixed_number_of_queries(client, filed, django_assert_num_queries):
    client.force_login(filed.member_user)
    url = reverse("publicity:print_card", args=[filed.member.pk])
    client.get(url)
    with django_assert_num_queries(6):
        client.get(url)
    for _ in range(4):
        PledgeFactory(owner_org=filed.branch, owner_member=filed.member, status="published")
    with django_assert_num_queries(6):
        client.get(url)


def test_it_points_the_login_page_to_the_public_pages(client, db):
    assert reverse("publicity:index") in client.get("/login/").content.decode()
