"""Reviews' events reach who must act: the reviewer of a review sent back, the member issued a
letter, the issuer of an answered letter, the 责任人 of an item, its checker."""

import datetime

import pytest

from core.notifications.models import Notification
from pledges.models import Pledge
from reviews.services import letter as letter_services
from reviews.services import rectification as rectification_services
from reviews.services import review as review_services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    UserFactory,
    draft_review,
    org_subject,
    signed_review,
    today,
)


def _told(kind):
    return sorted(n.recipient.username for n in Notification.objects.filter(kind=kind))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """`run(move, **kwargs)`: the move, then what it queued on commit."""

    def call(move, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return move(**kwargs)

    return call


def test_it_tells_the_reviewer_the_office_sent_his_review_back(rworld, run):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    run(review_services.review_return, review=review, by=rworld.office, reasons=["no_problem"])
    assert _told("review_returned") == ["branch_leader"]
    n = Notification.objects.get(kind="review_returned")
    assert n.link == review.get_absolute_url()


def test_it_tells_the_member_of_his_letter_and_the_issuer_of_the_reply(rworld, run):
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.UNFULFILLED)
    letter = run(
        letter_services.letter_issue,
        by=rworld.secretary,
        member=rworld.member,
        reason="unfulfilled",
        problems="承诺未按期兑现",
        measures="一月内补办",
        deadline=today() + datetime.timedelta(days=30),
    )
    assert _told("letter_issued") == ["member"]
    assert letter.number in Notification.objects.get(kind="letter_issued").title
    run(
        letter_services.letter_reply,
        letter=letter,
        by=rworld.member_user,
        reply="已补办",
        version=letter.edit_version,
    )
    assert _told("letter_replied") == ["secretary"]


def test_it_tells_the_responsible_member_and_the_secretary_of_a_raised_item(rworld, run):
    responsible = UserFactory(username="zhao")
    MemberFactory(name="赵六", organization=rworld.branch, user=responsible)
    item = run(
        rectification_services.rectification_item_raise,
        by=rworld.office,
        organization=rworld.branch,
        problem="路灯损坏",
        target="路灯全部修好",
        measures="联系供电所更换",
        responsible="赵六",
        deadline=today() + datetime.timedelta(days=10),
    )
    assert _told("rectification_assigned") == ["secretary", "zhao"]
    assert {n.link for n in Notification.objects.all()} == {item.get_absolute_url()}


def test_it_tells_the_reviewer_of_an_answer_and_the_subject_of_a_reopening(rworld, run):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    item = review.items.order_by("id").first()
    run(
        rectification_services.rectification_item_done,
        item=item,
        by=rworld.secretary,
        measures_taken="已走访 20 户",
    )
    assert _told("rectification_answered") == ["branch_leader"]
    run(
        rectification_services.rectification_item_reopen,
        item=item,
        by=rworld.branch_leader,
        reason="台账不全",
    )
    assert _told("rectification_reopened") == ["secretary"]
    item.refresh_from_db()
    run(
        rectification_services.rectification_item_reply,
        item=item,
        by=rworld.secretary,
        text="正在补齐台账",
        version=item.edit_version,
    )
    assert _told("rectification_answered") == ["branch_leader", "branch_leader"]


def test_it_tells_the_subject_of_a_signed_review_and_its_items(rworld, run):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    run(review_services.review_sign, review=review, by=rworld.branch_leader)
    assert _told("review_signed") == ["secretary"]
    n = Notification.objects.get(kind="review_signed")
    assert "整改事项 2 项" in n.title and n.link == review.get_absolute_url()
