"""Pages of rectification items: the work lists, an item, its moves."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pledges import tallies
from reviews.models import RectificationItem
from reviews.services import rectification as services

PAGES = [
    ("secretary", "/reviews/rectification/", 8),
    ("secretary", "/reviews/rectification/{item}/", 7),
]


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


@pytest.mark.parametrize(
    "move",
    [
        "rectification_item_done",
        "rectification_item_reply",
        "rectification_item_confirm",
        "rectification_item_reopen",
    ],
)
@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary"])
def test_it_refuses_a_stranger_every_rectification_item_move(rworld, client, signed, move, who):
    item = signed.items.order_by("id").first()
    events = item.events.count()
    client.force_login(getattr(rworld, who))
    data = {"text": "已整改", "measures_taken": "已整改", "reply": "已整改"}
    assert client.post(reverse(f"reviews:{move}", args=[item.pk]), data).status_code == 404
    item.refresh_from_db()
    assert item.status == "open" and item.events.count() == events and item.reply == ""


def _raised_item(w, deadline_days: int = 14):
    """An item the people raised: no leader review behind it."""
    return services.rectification_item_raise(
        by=w.secretary,
        organization=w.branch,
        problem="路灯损坏",
        target="路灯全部修好",
        measures="联系供电所更换",
        responsible="书记",
        deadline=timezone.localdate() + datetime.timedelta(days=deadline_days),
    )


def test_it_lists_a_rectification_item_the_people_raised_without_a_reviewer(world, client):
    _raised_item(world)
    client.force_login(world.secretary)
    response = client.get(reverse("reviews:rectification"))
    assert response.status_code == 200
    assert "路灯损坏" in response.content.decode() and "群众意见" in response.content.decode()


def test_it_lists_an_overdue_rectification_item_the_people_raised_on_the_office_page(world, client):
    item = _raised_item(world)
    RectificationItem.objects.filter(pk=item.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    tallies.rebuild([item.organization_id])  # update() sends no signal
    client.force_login(world.office)
    response = client.get(reverse("reviews:office", args=[world.town.pk]))
    assert response.status_code == 200 and "路灯损坏" in response.content.decode()


# (move, the item's state before it, who makes it)
ITEM_MOVES = [
    ("rectification_item_done", "open", "secretary"),
    ("rectification_item_confirm", "done", "branch_leader"),
    ("rectification_item_reopen", "done", "branch_leader"),
]


@pytest.mark.parametrize(("move", "start", "who"), ITEM_MOVES)
def test_it_refuses_the_second_of_two_sessions_making_the_same_item_move(
    rworld, signed, move, start, who
):
    """Two sessions opened the item in the same state; both press the same move. The first
    moves it; the second is refused with a message and changes nothing the first saved."""
    item = signed.items.order_by("id").first()
    if start == "done":
        services.rectification_item_done(item=item, by=rworld.secretary, measures_taken="已整改")
    url = reverse(f"reviews:{move}", args=[item.pk])
    a, b = Client(), Client()
    a.force_login(getattr(rworld, who))
    b.force_login(getattr(rworld, who))
    fields = ("status", "edit_version", "measures_taken", "reopen_reason", "done_at")
    a.post(url, {"text": "甲：原因", "measures_taken": "甲：已整改"})
    after_a = RectificationItem.objects.values(*fields).get(pk=item.pk)
    events = item.events.count()
    second = b.post(url, {"text": "乙：原因", "measures_taken": "乙：已整改"}, follow=True)
    assert "alert-danger" in second.content.decode()
    assert RectificationItem.objects.values(*fields).get(pk=item.pk) == after_a
    assert after_a["status"] != start and item.events.count() == events
