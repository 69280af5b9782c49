"""Rectification to closure: the subject reports done, the reviewer confirms or reopens."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.errors import TransitionError
from pledges import tallies
from reviews.models import Quarter, RectificationItem
from reviews.selectors import rectification as rectification_selectors
from reviews.selectors import review as review_selectors
from reviews.services import rectification as rectification_services
from tests.factories import (
    MemberFactory,
    draft_review,
    make_org,
    member_subject,
    org_subject,
    signed_review,
    today,
)

Status = RectificationItem.Status
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def item(rworld):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    return review.items.order_by("id").first()


def test_it_lets_the_subject_report_done_with_evidence_and_a_reply(rworld, item):
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    rectification_services.rectification_item_done(
        item=item,
        by=rworld.secretary,
        measures_taken="已走访 20 户",
        reply="已落实",
        files=[upload],
    )
    item.refresh_from_db()
    assert item.status == Status.DONE
    assert item.done_by == rworld.secretary
    assert item.reply == "已落实"
    assert item.evidence.get().content_type == "image/png"
    assert [e.action for e in item.events.all()] == ["create", "done", "reply"]


def test_it_refuses_evidence_of_the_wrong_type(rworld, item):
    upload = SimpleUploadedFile("x.png", b"MZ not an image", content_type="image/png")
    with pytest.raises(TransitionError, match="类型"):
        rectification_services.rectification_item_done(
            item=item, by=rworld.secretary, measures_taken="x", files=[upload]
        )
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_it_confirms_a_done_rectification_item(rworld, item):
    rectification_services.rectification_item_done(
        item=item, by=rworld.secretary, measures_taken="已整改"
    )
    rectification_services.rectification_item_confirm(item=item, by=rworld.branch_leader)
    item.refresh_from_db()
    assert item.status == Status.CONFIRMED
    assert item.confirmed_by == rworld.branch_leader


def test_it_reopens_a_done_rectification_item_with_a_reason_and_confirms_it_later(rworld, item):
    rectification_services.rectification_item_done(
        item=item, by=rworld.secretary, measures_taken="已整改"
    )
    with pytest.raises(TransitionError, match="原因"):
        rectification_services.rectification_item_reopen(
            item=item, by=rworld.branch_leader, reason=""
        )
    rectification_services.rectification_item_reopen(
        item=item, by=rworld.branch_leader, reason="台账不全"
    )
    item.refresh_from_db()
    assert item.status == Status.REOPENED
    assert item.reopen_reason == "台账不全"
    with pytest.raises(TransitionError):
        rectification_services.rectification_item_confirm(item=item, by=rworld.branch_leader)
    rectification_services.rectification_item_done(
        item=item, by=rworld.secretary, measures_taken="台账已补齐"
    )
    rectification_services.rectification_item_confirm(item=item, by=rworld.branch_leader)
    item.refresh_from_db()
    assert item.status == Status.CONFIRMED
    actions = [e.action for e in item.events.all()]
    assert actions == ["create", "done", "reopen", "done", "confirm"]


def test_it_refuses_to_confirm_an_open_rectification_item(rworld, item):
    with pytest.raises(TransitionError):
        rectification_services.rectification_item_confirm(item=item, by=rworld.branch_leader)


def test_it_refuses_others_to_work_on_or_confirm_a_rectification_item(rworld, item):
    for user in (rworld.other_secretary, rworld.stranger, rworld.member, rworld.office):
        with pytest.raises(PermissionDenied):
            rectification_services.rectification_item_done(item=item, by=user, measures_taken="x")
    rectification_services.rectification_item_done(
        item=item, by=rworld.secretary, measures_taken="x"
    )
    for user in (rworld.secretary, rworld.leader, rworld.office, rworld.far_leader):
        with pytest.raises(PermissionDenied):
            rectification_services.rectification_item_confirm(item=item, by=user)


def test_it_lets_the_member_work_on_his_own_rectification_item(rworld):
    review = signed_review(rworld.secretary, member_subject(rworld.member), mode="random")
    item = review.items.first()
    rectification_services.rectification_item_done(
        item=item, by=rworld.member_user, measures_taken="已改正"
    )
    rectification_services.rectification_item_reply(
        item=item, by=rworld.member_user, text="请书记检查", version=item.edit_version
    )
    with pytest.raises(PermissionDenied):
        rectification_services.rectification_item_done(
            item=item, by=rworld.other_member_user, measures_taken="x"
        )


def test_it_does_not_let_anyone_act_on_rectification_items_of_a_draft(rworld):
    draft = draft_review(rworld.branch_leader, org_subject(rworld.branch))
    with pytest.raises(TransitionError, match="尚未签认"):
        rectification_services.rectification_item_done(
            item=draft.items.first(), by=rworld.secretary, measures_taken="x"
        )


def test_it_shows_rectification_items_past_their_deadline_as_overdue(rworld, item):
    RectificationItem.objects.filter(pk=item.pk).update(
        deadline=today() - datetime.timedelta(days=1)
    )
    item.refresh_from_db()
    assert item.is_overdue
    assert RectificationItem.objects.overdue().filter(pk=item.pk).exists()
    rectification_services.rectification_item_done(
        item=item, by=rworld.secretary, measures_taken="x"
    )
    item.refresh_from_db()
    assert not item.is_overdue


def test_it_computes_the_rectification_rate_per_subtree_and_quarter(rworld):
    q = Quarter.current()
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    other = signed_review(rworld.town_secretary, org_subject(rworld.other_branch), mode="random")
    a, b = review.items.order_by("id")
    RectificationItem.objects.filter(pk__in=[a.pk, b.pk]).update(deadline=q.end)
    RectificationItem.objects.filter(review=other).update(deadline=q.end)
    tallies.rebuild([rworld.branch.pk, rworld.other_branch.pk])  # update() sends no signal
    rectification_services.rectification_item_done(item=a, by=rworld.secretary, measures_taken="x")
    rectification_services.rectification_item_confirm(item=a, by=rworld.branch_leader)
    assert rectification_selectors.rectification_rate(
        org=rworld.branch, year=q.year, quarter=q.quarter
    ) == (
        1,
        2,
        0.5,
    )
    assert rectification_selectors.rectification_rate(
        org=rworld.town, year=q.year, quarter=q.quarter
    ) == (
        1,
        4,
        0.25,
    )
    assert rectification_selectors.rectification_rate(
        org=rworld.far_town, year=q.year, quarter=q.quarter
    ) == (
        0,
        0,
        None,
    )
    nxt = q.next()
    assert (
        rectification_selectors.rectification_rate(
            org=rworld.town, year=nxt.year, quarter=nxt.quarter
        )[1]
        == 0
    )
    by_child = {
        c.name: (conf, due)
        for c, conf, due, _r in rectification_selectors.rectification_rates_by_child(
            org=rworld.town, year=q.year, quarter=q.quarter
        )
    }
    assert by_child == {"东街社区党支部": (1, 2), "西街社区党支部": (0, 2)}


def test_it_leaves_draft_rectification_items_out_of_the_rate(rworld):
    q = Quarter.current()
    draft = draft_review(rworld.branch_leader, org_subject(rworld.branch))
    RectificationItem.objects.filter(review=draft).update(deadline=q.end)
    assert (
        rectification_selectors.rectification_rate(org=rworld.town, year=q.year, quarter=q.quarter)[
            1
        ]
        == 0
    )


def test_it_counts_reviews_by_mode_and_grade(rworld):
    make_org("空支部", rworld.town)
    signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random", grade="poor")
    q = Quarter.current()
    counts = review_selectors.review_counts(org=rworld.town, year=q.year, quarter=q.quarter)
    assert counts["total"] == 1
    assert counts["by_mode"]["random"] == 1
    assert counts["by_grade"]["poor"] == 1


def test_it_refuses_the_reviewer_reporting_his_own_rectification_item_done(rworld):
    # The secretary reviews a member (with a login): the member reports, the secretary confirms.
    review = signed_review(rworld.secretary, member_subject(rworld.member), mode="random")
    item = review.items.order_by("id").first()
    with pytest.raises(PermissionDenied):
        rectification_services.rectification_item_done(
            item=item, by=rworld.secretary, measures_taken="x"
        )
    with pytest.raises(PermissionDenied):
        rectification_services.rectification_item_reply(
            item=item, by=rworld.secretary, text="x", version=item.edit_version
        )
    rectification_services.rectification_item_done(
        item=item, by=rworld.member_user, measures_taken="已改正"
    )
    rectification_services.rectification_item_confirm(item=item, by=rworld.secretary)


def test_it_lets_the_secretary_keep_the_book_for_a_member_without_a_login(rworld):
    paper = MemberFactory(organization=rworld.branch, user=None)
    review = signed_review(rworld.secretary, member_subject(paper), mode="random")
    item = review.items.order_by("id").first()
    rectification_services.rectification_item_done(
        item=item, by=rworld.secretary, measures_taken="已改正"
    )
    assert item.status == Status.DONE


def test_it_labels_the_reply_and_reopen_boxes(rworld, item, client):
    rectification_services.rectification_item_done(
        item=item, by=rworld.secretary, measures_taken="已整改"
    )
    client.force_login(rworld.branch_leader)
    html = client.get(item.get_absolute_url()).content.decode()
    assert "重新整改原因" in html
    client.force_login(rworld.secretary)
    assert "回复内容" in client.get(item.get_absolute_url()).content.decode()


def test_it_shows_the_reviewer_each_rectification_items_reply_in_his_list(rworld, item, client):
    rectification_services.rectification_item_reply(
        item=item, by=rworld.secretary, text="已召开专题会研究", version=item.edit_version
    )
    client.force_login(rworld.branch_leader)
    html = client.get("/reviews/rectification/").content.decode()
    assert 'data-testid="items-given"' in html and "已召开专题会研究" in html


def test_it_lists_work_to_do_first_and_leaves_the_reviewers_own_rectification_items_to_the_member(
    rworld,
):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    first, second = review.items.order_by("id")
    rectification_services.rectification_item_done(
        item=first, by=rworld.secretary, measures_taken="已整改"
    )
    rectification_services.rectification_item_confirm(item=first, by=rworld.branch_leader)
    given = signed_review(rworld.secretary, member_subject(rworld.member), mode="random")
    mine = list(
        rectification_selectors.work_order(
            rectification_selectors.items_for_subject_side(rworld.secretary)
        )
    )
    assert mine == [second, first]  # open before closed; the member's items are his to do
    member_side = set(rectification_selectors.items_for_subject_side(rworld.member_user))
    assert member_side == set(given.items.all())


def test_it_names_the_bad_field_when_reporting_done(rworld, item, client):
    client.force_login(rworld.secretary)
    url = reverse("reviews:rectification_item_done", args=[item.pk])
    empty = SimpleUploadedFile("empty.png", b"", content_type="image/png")
    response = client.post(url, {"measures_taken": "已整改", "files": [empty]}, follow=True)
    text = response.content.decode()
    assert "佐证材料" in text and "请填写整改落实情况" not in text
    response = client.post(url, {"measures_taken": " "}, follow=True)
    assert "整改落实情况" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open"


def test_it_keeps_the_rectification_page_flat(rworld, client):

    def add(n):
        for _ in range(n):
            member = MemberFactory(organization=rworld.branch, user=None)
            signed_review(rworld.secretary, member_subject(member), n_items=1, mode="random")

    def count():
        client.force_login(rworld.secretary)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/reviews/rectification/").status_code == 200
        return len(ctx.captured_queries)

    add(5)
    few = count()
    add(25)
    assert count() == few
