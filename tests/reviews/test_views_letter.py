"""Pages of suggestion letters: the list, a letter, its moves."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pledges.models import Pledge
from reviews.models import SuggestionLetter
from reviews.services import letter as letter_services
from tests.factories import PledgeFactory

PAGES = [
    ("secretary", "/reviews/letters/", 8),
    ("secretary", "/reviews/letters/{letter}/", 6),
]


@pytest.mark.parametrize("rows", [1, 4])
@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_it_reads_each_page_in_a_fixed_number_of_queries(
    assert_page_queries, who, url, queries, rows
):
    assert_page_queries(who, url, queries, rows)


@pytest.mark.parametrize("move", ["letter_reply", "letter_close"])
@pytest.mark.parametrize("who", ["stranger", "far_office", "other_secretary", "other_member_user"])
def test_it_refuses_a_stranger_every_letter_move(world, client, move, who):
    PledgeFactory(owner_member=world.member, status=Pledge.Status.UNFULFILLED)
    letter = letter_services.letter_issue(
        by=world.secretary,
        member=world.member,
        reason=SuggestionLetter.Reason.UNFULFILLED,
        problems="承诺未按期兑现",
        measures="一月内补办",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    client.force_login(getattr(world, who))
    response = client.post(reverse(f"reviews:{move}", args=[letter.pk]), {"text": "已补办"})
    assert response.status_code == 404
    letter.refresh_from_db()
    assert letter.status == SuggestionLetter.Status.ISSUED and letter.reply == ""


@pytest.mark.parametrize("move", ["letter_new", "letter_close"])
def test_it_refuses_the_second_of_two_sessions_making_the_same_letter_move(world, move):
    """Two sessions of the secretary: both fill in a letter to the same member for the same
    reason, or both close the same replied letter. The first is saved; the second is refused
    with a message and changes nothing the first saved."""
    PledgeFactory(owner_member=world.member, status=Pledge.Status.UNFULFILLED)
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    if move == "letter_new":
        url = reverse("reviews:letter_new", args=[world.member.pk])
    else:
        letter = letter_services.letter_issue(
            by=world.secretary,
            member=world.member,
            reason=SuggestionLetter.Reason.UNFULFILLED,
            problems="承诺未按期兑现",
            measures="一月内补办",
            deadline=deadline,
        )
        letter_services.letter_reply(
            letter=letter, by=world.member_user, reply="已补办", version=letter.edit_version
        )
        url = reverse("reviews:letter_close", args=[letter.pk])
    a, b = Client(), Client()
    a.force_login(world.secretary)
    b.force_login(world.secretary)
    form = {"reason": "unfulfilled", "measures": "补办", "deadline": deadline.isoformat()}
    fields = ("pk", "status", "edit_version", "problems", "closed_at")
    assert a.post(url, {**form, "problems": "甲：未兑现"}).status_code == 302
    after_a = list(SuggestionLetter.objects.order_by("pk").values_list(*fields))
    second = b.post(url, {**form, "problems": "乙：未兑现"}, follow=True)
    assert "alert-danger" in second.content.decode()
    assert list(SuggestionLetter.objects.order_by("pk").values_list(*fields)) == after_a
    assert len(after_a) == 1 and after_a[0][1] == ("issued" if move == "letter_new" else "closed")
