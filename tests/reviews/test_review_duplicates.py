"""One review per reviewer, subject and quarter: second forms, double posts, stale tabs."""

import pytest
from django.urls import reverse

from core.errors import TransitionError
from reviews.models import Quarter, Review
from reviews.services import review as review_services
from tests.factories import content, draft_review, org_subject, review_post, signed_review

Q = Quarter.current()


def _post(**extra):
    return review_post(mode="random", **extra)


def test_it_refuses_a_second_draft_for_the_same_subject_and_quarter(rworld):
    subject = org_subject(rworld.branch)
    draft_review(rworld.branch_leader, subject)
    with pytest.raises(TransitionError, match="草稿"):
        draft_review(rworld.branch_leader, subject)
    assert Review.objects.count() == 1


def test_it_lets_another_reviewer_review_the_same_subject(rworld):
    subject = org_subject(rworld.branch)
    signed_review(rworld.branch_leader, subject, mode="random")
    signed_review(rworld.town_secretary, subject, mode="random")
    assert Review.objects.filter(status="signed").count() == 2


def test_it_refuses_a_new_review_while_the_returned_one_awaits_its_redo(rworld):
    subject = org_subject(rworld.branch)
    review = signed_review(rworld.branch_leader, subject, mode="random")
    review_services.review_return(review=review, by=rworld.office, reasons=["no_problem"])
    with pytest.raises(TransitionError, match="重新点评"):
        draft_review(rworld.branch_leader, subject)


def test_it_sends_the_reviewer_to_his_draft_instead_of_a_new_form(rworld, client):
    draft = draft_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    client.force_login(rworld.branch_leader)
    url = f"{reverse('reviews:review_new')}?subject=o:{rworld.branch.pk}&q={Q.code}"
    response = client.get(url)
    assert response.url == reverse("reviews:review_edit", args=[draft.pk])
    review_services.review_sign(review=draft, by=rworld.branch_leader)
    assert client.post(url, _post()).url == draft.get_absolute_url()
    assert Review.objects.count() == 1


def test_it_makes_one_review_from_a_double_posted_form(rworld, client):
    client.force_login(rworld.branch_leader)
    url = f"{reverse('reviews:review_new')}?subject=o:{rworld.branch.pk}&q={Q.code}"
    first = client.post(url, {**_post(), "sign": ""})
    second = client.post(url, {**_post(), "sign": ""})
    review = Review.objects.get()
    assert review.status == "signed"
    assert first.url == second.url == review.get_absolute_url()


def test_it_refuses_a_stale_edit_after_the_review_was_signed(rworld):
    draft = draft_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    stale = Review.objects.get(pk=draft.pk)  # the second tab's copy
    review_services.review_sign(review=draft, by=rworld.branch_leader)
    with pytest.raises(TransitionError, match="锁定"):
        review_services.review_update(
            review=stale,
            by=rworld.branch_leader,
            content=content(grade="poor"),
            items=[],
            version=stale.edit_version,
        )
    draft.refresh_from_db()
    assert draft.grade == "good" and draft.items.count() == 2


def test_it_saves_nothing_and_says_so_for_an_incomplete_item(rworld, client):
    client.force_login(rworld.branch_leader)
    url = f"{reverse('reviews:review_new')}?subject=o:{rworld.branch.pk}&q={Q.code}"
    response = client.post(url, _post(**{"items-0-deadline": ""}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "未保存：请按标红处修改" in html and "四定须填写完整" in html
    assert not Review.objects.exists()


def test_it_refuses_a_stale_amendment_form(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    client.force_login(rworld.branch_leader)
    url = reverse("reviews:review_amend", args=[review.pk])
    assert 'name="seen" value="0"' in client.get(url).content.decode()
    first = {**_post(grade="average"), "reason": "等次更正", "seen": "0"}
    client.post(url, first)
    stale = {**_post(direction="改了方向"), "reason": "另一页", "seen": "0"}
    response = client.post(url, stale, follow=True)
    assert "已被更正过" in response.content.decode()
    review.refresh_from_db()
    assert review.grade == "average" and review.amendments.count() == 1
