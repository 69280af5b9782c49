"""The pledge page, its edit and amendment forms, and one view per move."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from pledges.models import Pledge
from pledges.services import pledge as services

TODAY = timezone.localdate
S = Pledge.Status


S = Pledge.Status


def test_it_closes_from_the_pledge_page(world, client, pledge_in):
    pledge = pledge_in("in_progress", world)
    client.force_login(world.secretary)
    client.post(
        f"/pledge/{pledge.pk}/close/", {"result": "已通水", "closed_on": TODAY().isoformat()}
    )
    pledge.refresh_from_db()
    assert pledge.status == S.CLOSED


def test_it_explains_a_refused_move_in_chinese(world, client, pledge_in):
    pledge = pledge_in("draft", world)
    client.force_login(world.secretary)
    response = client.post(
        f"/pledge/{pledge.pk}/close/",
        {"result": "x", "closed_on": TODAY().isoformat()},
        follow=True,
    )
    assert "只有已亮诺或践诺中的承诺可以销号" in response.content.decode()


def test_it_shows_history_on_the_pledge_page(world, client, pledge_in):
    pledge = pledge_in("closed", world)
    client.force_login(world.office)
    body = client.get(f"/pledge/{pledge.pk}/").content.decode()
    for label in ("审核通过", "亮诺", "记实", "销号"):
        assert label in body


def test_it_shows_the_pledge_for_a_get_on_an_action_address(world, client, pledge_in):
    pledge = pledge_in("submitted", world)
    client.force_login(world.secretary)
    response = client.get(f"/pledge/{pledge.pk}/approve/")
    assert response["Location"] == f"/pledge/{pledge.pk}/"
    pledge.refresh_from_db()
    assert pledge.status == S.SUBMITTED


def test_it_names_the_field_in_the_amendment_history(world, client, pledge_in, content):

    pledge = pledge_in("published", world)
    new_deadline = TODAY() + datetime.timedelta(days=200)
    services.pledge_amend(
        pledge=pledge,
        by=world.secretary,
        content=content(deadline=new_deadline),
        reason="延期",
        version=pledge.edit_version,
    )
    client.force_login(world.secretary)
    assert "完成时限：" in client.get(f"/pledge/{pledge.pk}/").content.decode()


def test_it_edits_a_draft_and_amends_a_published_pledge_through_pages(
    world, client, pledge_in, form_row
):
    draft, running = pledge_in("draft", world), pledge_in("published", world)
    client.force_login(world.secretary)
    data = {**form_row("新标题"), "version": str(draft.edit_version)}
    assert client.post(f"/pledge/{draft.pk}/edit/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "新标题"
    response = client.get(f"/pledge/{running.pk}/edit/")
    assert response["Location"] == f"/pledge/{running.pk}/"
    data = {**form_row("变更后"), "version": str(running.edit_version), "reason": "群众建议调整"}
    client.post(f"/pledge/{running.pk}/amend/", data)
    running.refresh_from_db()
    assert running.title == "变更后"
    assert running.events.filter(action="amend").count() == 1


@pytest.mark.parametrize("page", ["edit", "amend"])
def test_it_refuses_the_second_of_two_sessions_editing_the_pledge(world, pledge_in, form_row, page):
    pledge = pledge_in("draft" if page == "edit" else "published", world)
    url = f"/pledge/{pledge.pk}/{page}/"
    a, b = Client(), Client()
    a.force_login(world.secretary)
    b.force_login(world.secretary)
    seen = re.search(r'name="version" value="(\d+)"', a.get(url).content.decode()).group(1)
    assert f'name="version" value="{seen}"' in b.get(url).content.decode()
    a.post(url, {**form_row("甲改的"), "version": seen, "reason": "甲的原因"})
    text = b.post(
        url, {**form_row("乙改的"), "version": seen, "reason": "乙的原因"}, follow=True
    ).content
    assert "已被修改" in text.decode()
    pledge.refresh_from_db()
    assert pledge.title == "甲改的"


@pytest.mark.parametrize(
    "username", ["stranger", "other_secretary", "other_member_user", "far_office"]
)
def test_it_refuses_outsiders_the_pledge_page(world, client, username, pledge_in):
    pledge = pledge_in("published", world)
    client.force_login(getattr(world, username))
    assert client.get(f"/pledge/{pledge.pk}/").status_code == 404


@pytest.mark.parametrize("action", ["approve", "return", "publish", "close", "unfulfilled"])
def test_it_refuses_actions_posted_by_outsiders(world, client, action, pledge_in):
    pledge = pledge_in("submitted", world)
    client.force_login(world.other_secretary)
    response = client.post(f"/pledge/{pledge.pk}/{action}/", {"reason": "x", "result": "x"})
    assert response.status_code == 404
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.SUBMITTED


def test_it_refuses_an_unknown_action(world, client, pledge_in):
    pledge = pledge_in("submitted", world)
    client.force_login(world.secretary)
    assert client.post(f"/pledge/{pledge.pk}/explode/").status_code == 404


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(
    ("who", "url", "queries"),
    [
        pytest.param("secretary", "/pledge/{published}/", 10, id="the_pledge_page"),
        pytest.param("secretary", "/pledge/{closed}/", 11, id="a_closed_pledges_page"),
        pytest.param("secretary", "/pledge/{draft}/edit/", 6, id="the_edit_page"),
        pytest.param("secretary", "/pledge/{published}/amend/", 6, id="the_amendment_page"),
    ],
)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


# (move, the state it starts from, the state after it, what the form posts)
MOVES = [
    ("submit", "draft", "submitted", {}),
    ("approve", "submitted", "approved", {}),
    ("return", "submitted", "returned", {"reason": "甲的退回原因"}),
    ("publish", "approved", "published", {}),
    ("close", "published", "closed", {"result": "甲的兑现情况", "closed_on": str(TODAY())}),
    ("unfulfilled", "published", "unfulfilled", {"reason": "甲的原因"}),
    ("carry_over", "closed", "closed", {}),
    ("delete", "draft", None, {}),
]


@pytest.mark.parametrize(("move", "start", "end", "data"), MOVES)
def test_it_refuses_the_second_of_two_sessions_making_the_same_move(
    world, pledge_in, move, start, end, data
):
    """Two sessions opened the pledge in the same state; both press the same move. The first
    moves it; the second is refused (by the state, or the pledge is gone) and changes nothing
    of what the first saved."""
    pledge = pledge_in(start, world)
    a, b = Client(), Client()
    a.force_login(world.secretary)
    b.force_login(world.secretary)
    url = f"/pledge/{pledge.pk}/{move}/"
    a.post(url, data)
    after_a = list(Pledge.objects.order_by("pk").values_list("pk", "status", "edit_version"))
    second = b.post(url, {k: v.replace("甲", "乙") for k, v in data.items()}, follow=True)
    assert second.status_code == 404 or "alert-danger" in second.content.decode()
    assert list(Pledge.objects.order_by("pk").values_list("pk", "status", "edit_version")) == (
        after_a
    )
    if end is None:
        assert not Pledge.objects.filter(pk=pledge.pk).exists()
    else:
        pledge.refresh_from_db()
        assert pledge.status == end
        assert "乙" not in pledge.return_reason + pledge.close_result
