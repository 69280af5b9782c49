"""The 评选表彰公示 goes through the notice workflow; the 表彰名单 is a public page kept by year."""

import pytest
from django.urls import reverse

from publicity.models import Notice
from publicity.rules.notice import can_approve
from reviews.models import AnnualAssessment, Nomination
from reviews.services import selection as selection_services
from tests.factories import (
    MemberFactory,
    end_publicity,
    nominate,
    open_selection,
    publicise_selection,
    record,
)


def _decided(world, n_members: int):
    selection = open_selection(world, quotas={world.branch.pk: 50})
    for i in range(n_members):
        nominate(
            selection,
            world.branch,
            MemberFactory(organization=world.branch, name=f"优秀{i}"),
            world.secretary,
        )
    publicise_selection(world, selection)
    end_publicity(selection)
    ids = list(selection.nominations.values_list("pk", flat=True))
    return selection_services.selection_round_decide(
        by=world.office, selection=selection, awarded_ids=ids, version=selection.edit_version
    )


def test_it_offers_the_short_list_to_the_composer(world, client):
    selection = open_selection(world)
    n = nominate(selection, world.branch, world.member, world.secretary)
    selection_services.selection_round_shortlist(
        by=world.office, selection=selection, nomination_ids=[n.pk], version=selection.edit_version
    )
    client.force_login(world.office)
    url = reverse("publicity:notice_compose", args=[world.town.pk])
    page = client.get(url, {"kind": "selection", "year": selection.year}).content.decode()
    assert "优秀共产党员：张三" in page


def test_it_shows_the_written_reason_on_the_public_notice(world, client):
    record(world, member=world.member, grade=AnnualAssessment.Grade.POOR)
    selection = open_selection(world)
    nominate(selection, world.branch, world.member, world.secretary, caution_reason="已整改到位")
    notice = publicise_selection(world, selection)
    assert notice.kind == Notice.Kind.SELECTION
    page = client.get(notice.public_url()).content.decode()
    assert "已整改到位" in page and "年度总评为“差”" in page


def test_it_refuses_the_secretary_approving_a_selection_notice(world):
    notice = Notice(
        organization=world.branch, kind=Notice.Kind.SELECTION, submitted_by=world.office
    )
    assert not can_approve(world.secretary, notice)


@pytest.mark.parametrize("n", [1, 4])
def test_it_publishes_the_honour_list_in_a_fixed_number_of_queries(
    world, client, django_assert_num_queries, n
):
    selection = _decided(world, n)
    url = reverse("publicity:honours", args=[world.town.pk])
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert f'id="y{selection.year}"' in page
    assert page.count("<li>优秀") == n
    assert Nomination.objects.filter(status="awarded").count() == n


def test_it_lists_nothing_before_the_decision(world, client):
    selection = open_selection(world)
    nominate(selection, world.branch, world.member, world.secretary)
    page = client.get(reverse("publicity:honours", args=[world.town.pk])).content.decode()
    assert "暂无表彰名单" in page and "张三" not in page
