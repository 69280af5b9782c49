"""Every role refused outside its scope: who may see and who may review what."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from reviews.models import Quarter, RectificationItem, Review, SelfEvaluation
from reviews.services import review as review_services
from tests.factories import (
    content,
    draft_review,
    member_subject,
    org_subject,
    secretary_subject,
    signed_review,
    submit_report,
)


def visible(user, model=Review):
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


def test_it_refuses_a_leader_not_linked_to_the_organization(rworld):
    for subject in (org_subject(rworld.branch), secretary_subject(rworld.branch)):
        for user in (rworld.far_leader, rworld.leader):
            with pytest.raises(PermissionDenied):
                review_services.review_create(
                    by=user, subject=subject, quarter=Quarter.current(), content=content()
                )


def test_it_refuses_office_stranger_member_and_other_secretary_as_reviewers(rworld):
    subject = member_subject(rworld.member)
    for user in (rworld.office, rworld.stranger, rworld.member_user, rworld.other_secretary):
        with pytest.raises(PermissionDenied):
            review_services.review_create(
                by=user, subject=subject, quarter=Quarter.current(), content=content()
            )


def test_it_hides_reviews_from_an_unlinked_leader_and_out_of_scope_office(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    for user in (rworld.far_leader, rworld.far_office, rworld.stranger, rworld.other_secretary):
        assert review.pk not in visible(user)
        client.force_login(user)
        assert client.get(reverse("reviews:review", args=[review.pk])).status_code == 404
    for user in (rworld.office, rworld.leader, rworld.secretary, rworld.town_secretary):
        assert review.pk in visible(user)


def test_it_keeps_drafts_to_the_reviewer(rworld):
    draft = draft_review(rworld.branch_leader, org_subject(rworld.branch))
    assert draft.pk in visible(rworld.branch_leader)
    for user in (rworld.office, rworld.secretary, rworld.leader):
        assert draft.pk not in visible(user)
    item = draft.items.first()
    assert item.pk not in visible(rworld.secretary, RectificationItem)


def test_it_shows_a_member_his_own_signed_review_only(rworld):
    own = signed_review(rworld.secretary, member_subject(rworld.member), mode="random")
    other_subject = member_subject(rworld.other_member)
    other = signed_review(rworld.other_secretary, other_subject, mode="random")
    seen = visible(rworld.member_user)
    assert own.pk in seen and other.pk not in seen
    items = visible(rworld.member_user, RectificationItem)
    assert set(own.items.values_list("pk", flat=True)) <= items
    assert not items & set(other.items.values_list("pk", flat=True))


def test_it_shows_members_the_published_review_of_their_branch(rworld):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    assert review.pk not in visible(rworld.member_user)
    review_services.review_publish(review=review, by=rworld.branch_leader)
    assert review.pk in visible(rworld.member_user)
    assert review.pk not in visible(rworld.other_member_user)


def test_it_limits_reports_to_their_writers_and_overseers(rworld):
    report = submit_report(org_subject(rworld.branch), rworld.secretary)
    for user in (rworld.secretary, rworld.office, rworld.leader, rworld.branch_leader):
        assert report.pk in visible(user, SelfEvaluation)
    for user in (rworld.far_office, rworld.far_leader, rworld.other_secretary, rworld.stranger):
        assert report.pk not in visible(user, SelfEvaluation)


def test_it_refuses_reports_written_by_others(rworld):
    for user in (rworld.other_secretary, rworld.office, rworld.stranger, rworld.branch_leader):
        with pytest.raises(PermissionDenied):
            submit_report(org_subject(rworld.branch), user)
    with pytest.raises(PermissionDenied):
        submit_report(member_subject(rworld.member), rworld.other_member_user)


@pytest.mark.parametrize(
    "who", ["far_leader", "leader", "office", "stranger", "other_secretary", "member_user"]
)
def test_it_refuses_the_new_review_page_outside_the_relationship(rworld, client, who):
    client.force_login(getattr(rworld, who))
    url = reverse("reviews:review_new") + f"?subject=o:{rworld.branch.pk}"
    assert client.get(url).status_code in (403, 404)


def test_it_refuses_the_office_page_outside_the_office_scope(rworld, client):
    for user in (rworld.far_office, rworld.leader, rworld.secretary, rworld.stranger):
        client.force_login(user)
        assert client.get(reverse("reviews:office", args=[rworld.town.pk])).status_code in (
            403,
            404,
        )
    client.force_login(rworld.office)
    assert client.get(reverse("reviews:office", args=[rworld.town.pk])).status_code == 200


def test_it_refuses_item_actions_by_post_outside_scope(rworld, client):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    item = review.items.first()
    client.force_login(rworld.far_leader)
    url = reverse("reviews:item_confirm", args=[item.pk])
    assert client.post(url).status_code == 404
    client.force_login(rworld.leader)
    assert client.post(url).status_code == 403
    item.refresh_from_db()
    assert item.status == "open"


def test_it_refuses_report_and_letter_pages_outside_scope(rworld, client):
    report = submit_report(org_subject(rworld.branch), rworld.secretary)
    client.force_login(rworld.other_secretary)
    write = reverse("reviews:report_write") + f"?subject=o:{rworld.branch.pk}"
    assert client.get(write).status_code == 404
    assert client.get(reverse("reviews:letter_new", args=[rworld.member.pk])).status_code == 404
    assert client.get(reverse("reviews:report", args=[report.pk])).status_code == 404
    client.force_login(rworld.far_office)
    assert client.get(reverse("reviews:report", args=[report.pk])).status_code == 404
    client.force_login(rworld.office)
    assert client.get(reverse("reviews:report", args=[report.pk])).status_code == 200
