"""抽查: the office sends a signed review back under "三不过关"; the reviewer redoes it."""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import TransitionError
from reviews.models import Review
from reviews.selectors import rectification as rectification_selectors
from reviews.services import rectification as rectification_services
from reviews.services import review as review_services
from tests.factories import (
    content,
    draft_review,
    items,
    org_subject,
    secretary_subject,
    signed_review,
    today,
)

NO_PROBLEM = Review.ReturnReason.NO_PROBLEM


@pytest.fixture
def signed(rworld):
    return signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")


def test_it_returns_a_signed_review_with_reasons_from_the_checklist(rworld, signed):
    review_services.review_return(
        review=signed, by=rworld.office, reasons=[NO_PROBLEM, "bogus"], remark="问题泛泛"
    )
    signed.refresh_from_db()
    assert signed.status == Review.Status.RETURNED
    assert signed.return_reasons == [NO_PROBLEM]
    assert signed.returned_by == rworld.office
    assert signed.return_remark == "问题泛泛"


def test_it_refuses_a_return_without_a_reason(rworld, signed):
    with pytest.raises(TransitionError, match="三不过关"):
        review_services.review_return(review=signed, by=rworld.office, reasons=[])


def test_it_refuses_a_return_by_anyone_but_the_office_above(rworld, signed):
    for user in (rworld.far_office, rworld.leader, rworld.branch_leader, rworld.secretary):
        with pytest.raises(PermissionDenied):
            review_services.review_return(review=signed, by=user, reasons=[NO_PROBLEM])


def test_it_refuses_to_return_a_draft(rworld):

    draft = draft_review(rworld.branch_leader, org_subject(rworld.branch))
    with pytest.raises(TransitionError):
        review_services.review_return(review=draft, by=rworld.office, reasons=[NO_PROBLEM])


def test_it_keeps_both_versions_after_the_redo(rworld, signed):
    item = signed.items.order_by("id").first()
    rectification_services.item_done(item=item, by=rworld.secretary, measures_taken="已走访")
    review_services.review_return(review=signed, by=rworld.office, reasons=[NO_PROBLEM])
    redo = review_services.review_redo(review=signed, by=rworld.branch_leader)
    assert redo.status == Review.Status.DRAFT
    assert redo.redo_of == signed
    assert redo.problems == signed.problems
    # The items and the subject's work on them move to the new version.
    assert redo.items.count() == 2
    review_services.review_update(
        review=redo,
        by=rworld.branch_leader,
        content=content(mode="random", problems="群众走访不够，台账不全"),
        items=items(3),
        version=redo.edit_version,
    )
    moved = redo.items.get(pk=item.pk)
    assert moved.status == "done"
    assert moved.events.exists()
    assert redo.items.count() == 3
    review_services.review_sign(review=redo, by=rworld.branch_leader)
    signed.refresh_from_db()
    assert signed.status == Review.Status.RETURNED
    assert signed.problems == "群众走访不够"
    assert Review.objects.filter(subject_key=signed.subject_key).count() == 2
    assert Review.objects.get(pk=redo.pk).status == Review.Status.SIGNED


def test_it_refuses_a_second_redo_or_a_redo_by_another(rworld, signed):
    review_services.review_return(review=signed, by=rworld.office, reasons=[NO_PROBLEM])
    with pytest.raises(PermissionDenied):
        review_services.review_redo(review=signed, by=rworld.leader)
    review_services.review_redo(review=signed, by=rworld.branch_leader)
    with pytest.raises(TransitionError):
        review_services.review_redo(review=signed, by=rworld.branch_leader)


def test_it_refuses_a_redo_of_a_review_that_was_not_returned(rworld, signed):
    with pytest.raises(TransitionError):
        review_services.review_redo(review=signed, by=rworld.branch_leader)


def _returned_redo(rworld, signed, reasons):
    review_services.review_return(review=signed, by=rworld.office, reasons=reasons)
    return review_services.review_redo(review=signed, by=rworld.branch_leader)


def test_it_refuses_to_sign_a_redo_that_changes_nothing(rworld, signed):
    redo = _returned_redo(rworld, signed, [Review.ReturnReason.NO_MEASURE])
    with pytest.raises(TransitionError, match="内容相同"):
        review_services.review_sign(review=redo, by=rworld.branch_leader)
    review_services.review_update(
        review=redo,
        by=rworld.branch_leader,
        content=content(mode="random", direction="每月逐项对照销号"),
        items=items(2),
        version=redo.edit_version,
    )
    review_services.review_sign(review=redo, by=rworld.branch_leader)
    assert redo.status == Review.Status.SIGNED


def test_it_refuses_a_redo_without_items_when_measures_were_missing(rworld):
    review = signed_review(
        rworld.branch_leader, org_subject(rworld.branch), n_items=0, mode="random"
    )
    redo = _returned_redo(rworld, review, [Review.ReturnReason.NO_MEASURE])
    review_services.review_update(
        review=redo, by=rworld.branch_leader, content=content(mode="random", grade="average"),
        items=[], version=redo.edit_version)  # fmt: skip
    with pytest.raises(TransitionError, match="整改事项"):
        review_services.review_sign(review=redo, by=rworld.branch_leader)


def test_it_refuses_a_redo_with_the_same_problems_when_none_were_named(rworld, signed):
    redo = _returned_redo(rworld, signed, [NO_PROBLEM])
    review_services.review_update(
        review=redo, by=rworld.branch_leader, content=content(mode="random", grade="average"),
        items=items(2), version=redo.edit_version)  # fmt: skip
    with pytest.raises(TransitionError, match="指出的问题"):
        review_services.review_sign(review=redo, by=rworld.branch_leader)


def test_it_refuses_a_redo_without_a_report_when_the_report_was_missing(rworld, signed):
    redo = _returned_redo(rworld, signed, [Review.ReturnReason.NO_REPORT])
    review_services.review_update(
        review=redo, by=rworld.branch_leader, content=content(mode="random", grade="average"),
        items=items(2), version=redo.edit_version)  # fmt: skip
    with pytest.raises(TransitionError, match="自查自评"):
        review_services.review_sign(review=redo, by=rworld.branch_leader)


def test_it_shows_the_returned_version_the_items_its_redo_carries(rworld, signed, client):
    redo = _returned_redo(rworld, signed, [NO_PROBLEM])
    client.force_login(rworld.branch_leader)
    html = client.get(signed.get_absolute_url()).content.decode()
    assert 'data-testid="items-moved"' in html and "问题1" in html and "问题2" in html
    assert redo.get_absolute_url() in html


def test_it_keeps_carried_items_owed_while_the_redo_is_redrafted(rworld, signed):
    from reviews.models import RectificationItem

    redo = _returned_redo(rworld, signed, [NO_PROBLEM])
    carried = redo.items.order_by("id").first()
    review_services.review_update(
        review=redo,
        by=rworld.branch_leader,
        content=content(mode="random", problems="走访记录不全"),
        items=items(3),
        version=redo.edit_version,
    )
    visible = RectificationItem.objects.visible_to(rworld.secretary)
    assert set(visible) == set(redo.items.filter(events__isnull=False))  # not the new third
    assert carried in rectification_selectors.items_in_subtree(rworld.town)
    rectification_services.item_done(item=carried, by=rworld.secretary, measures_taken="已走访")
    new = redo.items.order_by("id").last()
    with pytest.raises(TransitionError, match="尚未下达"):
        rectification_services.item_done(item=new, by=rworld.secretary, measures_taken="x")


def test_it_redoes_a_review_whose_items_are_already_past_their_deadline(rworld, signed):
    import datetime

    past = today() - datetime.timedelta(days=10)
    signed.items.update(deadline=past)
    first = signed.items.order_by("id").first()
    rectification_services.item_done(item=first, by=rworld.secretary, measures_taken="已整改")
    rectification_services.item_confirm(item=first, by=rworld.branch_leader)
    redo = _returned_redo(rworld, signed, [NO_PROBLEM])
    carried = [
        review_services.ItemContent(
            problem=i.problem, measures=i.measures, responsible=i.responsible, deadline=i.deadline
        )
        for i in redo.items.order_by("id")
    ]
    review_services.review_update(
        review=redo,
        by=rworld.branch_leader,
        content=content(mode="random", problems="走访记录不全"),
        items=carried,
        version=redo.edit_version,
    )
    review_services.review_sign(review=redo, by=rworld.branch_leader)
    assert redo.status == Review.Status.SIGNED
    fresh = review_services.review_create(
        by=rworld.branch_leader,
        subject=secretary_subject(rworld.branch),
        quarter=redo.quarter_obj,
        content=content(mode="random"),
    )
    with pytest.raises(TransitionError, match="时限"):
        review_services.review_update(
            review=fresh,
            by=rworld.branch_leader,
            content=content(mode="random"),
            items=[carried[0]],
            version=fresh.edit_version,
        )
