"""Who sees which review: `Review.objects.visible_to`."""

from reviews.models import RectificationItem, Review
from reviews.services import review as review_services
from tests.factories import (
    draft_review,
    member_subject,
    org_subject,
    signed_review,
)


def visible(user, model=Review):
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


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
