"""《公开承诺践诺建议书》: issued to a member who fell short, printable, tracked to the reply."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.errors import TransitionError
from pledges.models import Pledge
from reviews.models import SuggestionLetter
from reviews.selectors import letter as letter_selectors
from reviews.services import letter as letter_services
from tests.factories import MemberFactory, PledgeFactory, member_subject, signed_review, today


def _issue(rworld, reason=SuggestionLetter.Reason.UNFULFILLED, by=None):
    return letter_services.letter_issue(
        by=by or rworld.secretary,
        member=rworld.member,
        reason=reason,
        problems="承诺未按期兑现",
        measures="一月内补办",
        deadline=today() + datetime.timedelta(days=30),
    )


def test_it_lists_members_behind_or_graded_poor_as_candidates(rworld):
    assert not letter_selectors.letter_candidates(rworld.branch, today().year).exists()
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.UNFULFILLED)
    candidates = list(letter_selectors.letter_candidates(rworld.branch, today().year))
    assert candidates == [rworld.member] and candidates[0].behind == 1


def test_it_refuses_a_letter_without_cause(rworld):
    with pytest.raises(TransitionError, match="未兑现"):
        _issue(rworld)
    with pytest.raises(TransitionError, match="差"):
        _issue(rworld, SuggestionLetter.Reason.POOR_GRADE)


def test_it_issues_a_letter_for_unfulfilled_pledges_and_tracks_the_reply(rworld):
    pledge = PledgeFactory(
        owner_member=rworld.member,
        status=Pledge.Status.IN_PROGRESS,
        deadline=today() - datetime.timedelta(days=3),
    )
    letter = _issue(rworld)
    assert letter.number == f"{today().year}-001"
    assert list(letter.pledges.all()) == [pledge]
    assert letter.status == SuggestionLetter.Status.ISSUED
    with pytest.raises(TransitionError):
        letter_services.letter_close(letter=letter, by=rworld.secretary)
    letter_services.letter_reply(
        letter=letter, by=rworld.member_user, reply="已补办完成", version=letter.edit_version
    )
    letter.refresh_from_db()
    assert letter.status == SuggestionLetter.Status.REPLIED
    assert letter.replied_by == rworld.member_user
    letter_services.letter_close(letter=letter, by=rworld.secretary)
    letter.refresh_from_db()
    assert letter.status == SuggestionLetter.Status.CLOSED
    second = _issue(rworld)
    assert second.number == f"{today().year}-002"


def test_it_issues_a_letter_after_a_poor_grade(rworld):
    signed_review(rworld.secretary, member_subject(rworld.member), mode="random", grade="poor")
    letter = _issue(rworld, SuggestionLetter.Reason.POOR_GRADE)
    assert letter.review.grade == "poor"


def test_it_refuses_other_secretaries_and_other_members(rworld):
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.UNFULFILLED)
    for user in (rworld.other_secretary, rworld.office, rworld.leader, rworld.member_user):
        with pytest.raises(PermissionDenied):
            _issue(rworld, by=user)
    letter = _issue(rworld)
    with pytest.raises(PermissionDenied):
        letter_services.letter_reply(
            letter=letter, by=rworld.other_member_user, reply="x", version=letter.edit_version
        )
    assert letter.pk not in SuggestionLetter.objects.visible_to(rworld.other_secretary).values_list(
        "pk", flat=True
    )


def test_it_prints_the_letter_in_the_official_style(rworld, client):
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.UNFULFILLED, title="修路灯")
    letter = _issue(rworld)
    client.force_login(rworld.member_user)
    html = client.get(reverse("reviews:letter", args=[letter.pk])).content.decode()
    assert "official-doc" in html and "《公开承诺践诺建议书》" in html
    assert "张三同志" in html and "修路灯" in html and rworld.branch.name in html
    response = client.post(
        reverse("reviews:letter_reply", args=[letter.pk]),
        {"text": "已整改", "version": letter.edit_version},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.reply == "已整改"
    client.force_login(rworld.other_member_user)
    assert client.get(reverse("reviews:letter", args=[letter.pk])).status_code == 404


def test_it_refuses_a_secretary_issuing_a_letter_to_himself(rworld):
    himself = MemberFactory(organization=rworld.branch, user=rworld.secretary)
    PledgeFactory(owner_member=himself, status=Pledge.Status.UNFULFILLED)
    assert himself not in letter_selectors.letter_candidates(rworld.branch, today().year)
    with pytest.raises(PermissionDenied):
        letter_services.letter_issue(
            by=rworld.secretary, member=himself, reason=SuggestionLetter.Reason.UNFULFILLED,
            problems="x", measures="y", deadline=today() + datetime.timedelta(days=30),
        )  # fmt: skip


def test_it_issues_one_letter_from_a_double_posted_form(rworld):
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.UNFULFILLED)
    letter = _issue(rworld)
    with pytest.raises(TransitionError, match=letter.number):
        _issue(rworld)
    assert SuggestionLetter.objects.count() == 1
    candidate = letter_selectors.letter_candidates(rworld.branch, today().year).get()
    assert candidate.has_open_letter


def test_it_prints_the_letter_with_a_red_head_and_a_reply_slip(rworld, client):
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.UNFULFILLED)
    letter = _issue(rworld)
    client.force_login(rworld.member_user)
    html = client.get(reverse("reviews:letter", args=[letter.pk])).content.decode()
    assert 'class="letter-org"' in html and f"建议〔{letter.number}〕号" in html
    assert 'data-testid="letter-receipt"' in html and "党员签名" in html


def test_it_shows_the_office_the_letters_of_its_subtree(rworld, client):
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.UNFULFILLED)
    letter = _issue(rworld)
    client.force_login(rworld.office)
    html = client.get(reverse("reviews:letters")).content.decode()
    assert letter.get_absolute_url() in html
    assert f'class="nav-link" href="{reverse("reviews:letters")}"' in html
    client.force_login(rworld.far_office)
    assert letter.get_absolute_url() not in client.get(reverse("reviews:letters")).content.decode()
