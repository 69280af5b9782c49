"""Pages of suggestion letters: the list, a letter, its moves."""

import datetime

import pytest
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
