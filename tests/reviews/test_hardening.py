"""Input hardening and lost updates in reviews (issue 9 §1): two tabs on one draft, a missing
version, reasons read straight from the POST, dates, the anonymous evaluation form's limit."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.errors import TransitionError
from core.versions import StaleEdit
from pledges.models import Pledge
from reviews.models import EvaluationResponse, Quarter, Review, SuggestionLetter
from reviews.services import letter as letter_services
from reviews.services import mass_evaluation as mass_services
from reviews.services import rectification as rectification_services
from reviews.services import review as review_services
from reviews.services import self_evaluation as self_evaluation_services
from tests.factories import (
    PledgeFactory,
    answer,
    codes_of,
    content,
    draft_review,
    member_subject,
    open_evaluation,
    org_subject,
    review_post,
    signed_review,
    today,
)


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _letter(rworld) -> SuggestionLetter:
    PledgeFactory(owner_member=rworld.member, status=Pledge.Status.UNFULFILLED)
    return letter_services.letter_issue(
        by=rworld.secretary,
        member=rworld.member,
        reason=SuggestionLetter.Reason.UNFULFILLED,
        problems="承诺未按期兑现",
        measures="一月内补办",
        deadline=today() + datetime.timedelta(days=30),
    )


@pytest.fixture
def item(rworld):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    return review.items.order_by("id").first()


def test_it_refuses_the_second_tab_on_a_review_draft(rworld, client):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    client.force_login(rworld.branch_leader)
    edit = reverse("reviews:review_edit", args=[review.pk])
    seen = review.edit_version
    first = {"problems": "第一个标签页", "version": seen, "mode": "random"}
    second = {"direction": "第二个标签页", "version": seen, "mode": "random"}
    assert client.post(edit, review_post(**first)).status_code == 302
    response = client.post(edit, review_post(**second))
    html = response.content.decode()
    assert "您这次的保存没有生效" in html and "指出问题" in html
    review.refresh_from_db()
    assert (review.problems, review.direction) == ("第一个标签页", "规范台账")


def test_it_refuses_a_review_draft_saved_without_a_version(rworld):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    with pytest.raises(StaleEdit, match="缺少版本信息"):
        review_services.review_update(
            review=review, by=rworld.branch_leader, content=content(mode="random"), items=[],
            version=None,
        )  # fmt: skip


def test_it_refuses_a_million_character_review_text(rworld):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    with pytest.raises(TransitionError, match="2000"):
        review_services.review_update(
            review=review, by=rworld.branch_leader, items=[],
            content=content(mode="random", achievements="好" * 1_000_000),
            version=review.edit_version,
        )  # fmt: skip


def test_it_refuses_the_older_of_two_self_evaluation_saves(rworld):
    subject, quarter = member_subject(rworld.member), Quarter.current()

    def save(text, version):
        return self_evaluation_services.self_evaluation_save(
            by=rworld.member_user,
            subject=subject,
            quarter=quarter,
            content=self_evaluation_services.SelfEvaluationContent(highlights=text),
            version=version,
        )

    save("第一次", 0)
    with pytest.raises(StaleEdit, match="主要成绩"):
        save("另一个标签页也是新建", 0)
    with pytest.raises(StaleEdit, match="缺少版本信息"):
        save("没有版本", None)


def test_it_refuses_a_stale_rectification_reply(rworld, item):
    seen = item.edit_version
    rectification_services.rectification_item_reply(
        item=item, by=rworld.secretary, text="一", version=seen
    )
    with pytest.raises(StaleEdit, match="回复点评人"):
        rectification_services.rectification_item_reply(
            item=item, by=rworld.secretary, text="二", version=seen
        )
    item.refresh_from_db()
    assert item.reply == "一"


def test_it_refuses_an_overlong_reopen_reason_from_the_post(rworld, item, client):
    rectification_services.rectification_item_done(
        item=item, by=rworld.secretary, measures_taken="已整改"
    )
    client.force_login(rworld.branch_leader)
    response = client.post(
        reverse("reviews:rectification_item_reopen", args=[item.pk]), {"text": "因" * 501}
    )
    assert "重新整改原因不能超过 500 个字" in _messages(response)
    item.refresh_from_db()
    assert item.status == item.Status.DONE


def test_it_refuses_a_stale_or_versionless_letter_reply(rworld, client):
    letter = _letter(rworld)
    client.force_login(rworld.member_user)
    url = reverse("reviews:letter_reply", args=[letter.pk])
    response = client.post(url, {"text": "没有版本"})
    assert "缺少版本信息" in _messages(response)
    client.post(url, {"text": "第一次回复", "version": letter.edit_version})
    response = client.post(url, {"text": "旧页面的回复", "version": letter.edit_version})
    assert "党员回复" in _messages(response)
    letter.refresh_from_db()
    assert letter.reply == "第一次回复"


def test_it_refuses_a_huge_letter_reply(rworld):
    letter = _letter(rworld)
    with pytest.raises(TransitionError, match="2000"):
        letter_services.letter_reply(
            letter=letter, by=rworld.member_user, reply="回" * 2001, version=letter.edit_version
        )


def test_it_refuses_a_review_dated_1900_on_the_page(rworld, client):
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    response = client.post(url, review_post(date="1900-01-01"))
    assert response.status_code == 200
    assert not Review.objects.exists()


def test_it_limits_unknown_codes_per_address(rworld, client):
    for _ in range(mass_services.GUESS_RATE_LIMIT):
        assert client.get("/reviews/e/AAAAAAAA/", REMOTE_ADDR="10.9.9.9").status_code == 404
    evaluation = open_evaluation(rworld, codes=1)
    [code] = codes_of(evaluation)
    refused = client.get(f"/reviews/e/{code}/", REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429 and "一小时后" in refused.content.decode()
    assert client.get(f"/reviews/e/{code}/", REMOTE_ADDR="10.8.8.8").status_code == 200


def test_it_limits_submissions_per_address(rworld, settings, monkeypatch):
    monkeypatch.setattr(mass_services, "SUBMIT_RATE_LIMIT", 2)
    evaluation = open_evaluation(rworld, codes=3)
    first, second, third = codes_of(evaluation)
    answer(evaluation, first)
    answer(evaluation, second)
    with pytest.raises(TransitionError, match="提交过于频繁"):
        answer(evaluation, third)
    assert EvaluationResponse.objects.count() == 2


def test_it_refuses_an_amendment_that_does_not_say_what_it_saw(rworld):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    with pytest.raises(StaleEdit, match="缺少版本信息"):
        review_services.review_amend(
            review=review, by=rworld.branch_leader, reason="等次笔误", seen=None,
            content=content(mode="random", grade=Review.Grade.AVERAGE),
        )  # fmt: skip
    assert not review.amendments.exists()
