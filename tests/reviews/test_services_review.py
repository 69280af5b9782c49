"""Every state move of a leader review: draft → signed → published, amendments, refusals."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from core.errors import TransitionError
from pledges.services.calendar import calendar_set
from reviews.models import Quarter, RectificationEvent, RectificationItem, Review
from reviews.selectors import rectification as rectification_selectors
from reviews.selectors import review as review_selectors
from reviews.services import rectification as rectification_services
from reviews.services import review as review_services
from tests.factories import (
    calendar_content,
    content,
    draft_review,
    items,
    member_subject,
    org_subject,
    returned_redo,
    secretary_subject,
    signed_review,
    submit_self_evaluation,
    today,
)


def test_it_creates_a_draft_with_rectification_items(rworld):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch))
    assert review.status == Review.Status.DRAFT
    assert review.items.count() == 2
    assert review.subject_key == f"o:{rworld.branch.pk}"
    assert review.items.first().subject_key == review.subject_key


def test_it_updates_a_draft_and_replaces_its_rectification_items(rworld):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch))
    review_services.review_update(
        review=review,
        by=rworld.branch_leader,
        content=content(problems="新问题"),
        items=items(3),
        version=review.edit_version,
    )
    review.refresh_from_db()
    assert review.problems == "新问题"
    assert review.items.count() == 3


def test_it_signs_a_draft_when_the_self_evaluation_is_in(rworld):
    subject = org_subject(rworld.branch)
    self_evaluation = submit_self_evaluation(subject, rworld.secretary)
    review = review_services.review_sign(
        review=draft_review(rworld.branch_leader, subject), by=rworld.branch_leader
    )
    assert review.status == Review.Status.SIGNED
    assert review.signed_at is not None
    assert review.self_evaluation == self_evaluation
    assert review.without_self_evaluation is False
    # The items are now owed, each with its first history entry.
    assert RectificationEvent.objects.filter(item__review=review, action="create").count() == 2


def test_it_refuses_to_sign_a_collective_review_without_a_self_evaluation(rworld):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch))
    with pytest.raises(TransitionError, match="先报后评"):
        review_services.review_sign(review=review, by=rworld.branch_leader)
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT


@pytest.mark.parametrize("mode", [Review.Mode.ON_SITE, Review.Mode.RANDOM])
def test_it_signs_on_the_spot_and_random_reviews_without_a_self_evaluation_and_marks_them(
    rworld, mode
):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode=mode)
    assert review.status == Review.Status.SIGNED
    assert review.without_self_evaluation is True


def test_it_refuses_to_sign_without_grade_or_problems(rworld):
    subject = org_subject(rworld.branch)
    review = draft_review(rworld.branch_leader, subject, mode=Review.Mode.RANDOM, grade="")
    with pytest.raises(TransitionError, match="等次"):
        review_services.review_sign(review=review, by=rworld.branch_leader)
    review2 = draft_review(
        rworld.branch_leader, secretary_subject(rworld.branch), mode="random", problems=" "
    )
    with pytest.raises(TransitionError, match="问题"):
        review_services.review_sign(review=review2, by=rworld.branch_leader)


def test_it_publishes_a_signed_review_to_its_scope(rworld):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    review_services.review_publish(
        review=review, by=rworld.branch_leader, scope=Review.Scope.PUBLIC
    )
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    assert review.scope == Review.Scope.PUBLIC
    assert review.published_at is not None


def test_it_lists_only_reviews_published_to_the_public(rworld):

    inside = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    review_services.review_publish(review=inside, by=rworld.branch_leader)
    public = signed_review(rworld.town_secretary, org_subject(rworld.branch), mode="random")
    review_services.review_publish(review=public, by=rworld.office, scope=Review.Scope.PUBLIC)
    assert list(review_selectors.public_reviews(org=rworld.town)) == [public]
    assert not review_selectors.public_reviews(org=rworld.far_town).exists()


def test_it_refuses_to_publish_a_draft(rworld):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch))
    with pytest.raises(TransitionError):
        review_services.review_publish(review=review, by=rworld.branch_leader)


def test_it_locks_a_signed_review_and_records_amendments(rworld):
    review = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    with pytest.raises(TransitionError, match="锁定"):
        review_services.review_update(
            review=review,
            by=rworld.branch_leader,
            content=content(),
            items=items(1),
            version=review.edit_version,
        )
    with pytest.raises(TransitionError, match="原因"):
        review_services.review_amend(
            review=review,
            by=rworld.branch_leader,
            content=content(grade="average"),
            reason="",
            version=review.edit_version,
        )
    review_services.review_amend(
        review=review,
        by=rworld.branch_leader,
        content=content(mode="random", grade=Review.Grade.AVERAGE),
        reason="等次笔误",
        version=review.edit_version,
    )
    review.refresh_from_db()
    assert review.grade == Review.Grade.AVERAGE
    amendment = review.amendments.get()
    assert amendment.changes == {"grade": ["good", "average"]}
    assert amendment.reason == "等次笔误"


def test_it_refuses_a_second_signed_review_for_the_same_subject_and_quarter(rworld):
    subject = org_subject(rworld.branch)
    signed_review(rworld.branch_leader, subject, mode="random")
    with pytest.raises(TransitionError, match="已对该对象签认"):
        draft_review(rworld.branch_leader, subject, mode="random")
    assert Review.objects.count() == 1


def test_it_enforces_one_signed_review_in_the_database(rworld):
    first = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    clone = Review.objects.get(pk=first.pk)
    clone.pk = None
    clone.status = Review.Status.SIGNED
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()


def test_it_allows_another_reviewer_or_another_quarter(rworld):
    subject = org_subject(rworld.branch)
    signed_review(rworld.branch_leader, subject, mode="random")
    signed_review(rworld.town_secretary, subject, mode="random")
    last_quarter = Quarter.current().prev()
    review = review_services.review_create(
        by=rworld.branch_leader,
        subject=subject,
        quarter=last_quarter,
        content=content(mode="random"),
    )
    review_services.review_sign(review=review, by=rworld.branch_leader)
    assert Review.objects.filter(status="signed").count() == 3


def test_it_refuses_a_date_before_the_quarter_or_in_the_future(rworld):
    subject = org_subject(rworld.branch)
    q = Quarter.current()
    with pytest.raises(TransitionError):
        review_services.review_create(
            by=rworld.branch_leader,
            subject=subject,
            quarter=q,
            content=content(date=q.start - datetime.timedelta(days=1)),
        )
    with pytest.raises(TransitionError):
        review_services.review_create(
            by=rworld.branch_leader,
            subject=subject,
            quarter=q,
            content=content(date=q.end + datetime.timedelta(days=400)),
        )


def test_it_refuses_an_incomplete_rectification_item(rworld):
    bad = [
        review_services.ItemContent(problem="问题", measures="", responsible="书记", deadline=None)
    ]
    with pytest.raises((TransitionError, TypeError)):
        review_services.review_create(
            by=rworld.branch_leader,
            subject=org_subject(rworld.branch),
            quarter=Quarter.current(),
            content=content(),
            items=bad,
        )


def test_it_deletes_a_draft_only(rworld):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch))
    review_services.review_delete_draft(review=review, by=rworld.branch_leader)
    assert not Review.objects.exists()
    signed = signed_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    with pytest.raises(TransitionError):
        review_services.review_delete_draft(review=signed, by=rworld.branch_leader)


def test_it_refuses_someone_else_to_sign_or_amend(rworld):
    review = draft_review(rworld.branch_leader, org_subject(rworld.branch), mode="random")
    for user in (rworld.leader, rworld.office, rworld.secretary, rworld.stranger):
        with pytest.raises(PermissionDenied):
            review_services.review_sign(review=review, by=user)
    review_services.review_sign(review=review, by=rworld.branch_leader)
    with pytest.raises(PermissionDenied):
        review_services.review_amend(
            review=review, by=rworld.office, content=content(), reason="x", version=1
        )


def test_it_lets_the_branch_secretary_review_a_member_not_himself(rworld):
    review = signed_review(rworld.secretary, member_subject(rworld.member), mode="random")
    assert review.subject_kind == "member"
    assert review.organization == rworld.branch


def test_it_lets_a_leader_review_the_secretary_of_his_organization(rworld):
    review = signed_review(rworld.branch_leader, secretary_subject(rworld.branch), mode="random")
    assert review.subject_key == f"s:{rworld.branch.pk}"
    assert review.subject_name.endswith("书记")


NO_PROBLEM = Review.ReturnReason.NO_PROBLEM


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
    rectification_services.rectification_item_done(
        item=item, by=rworld.secretary, measures_taken="已走访"
    )
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


def test_it_refuses_to_sign_a_redo_that_changes_nothing(rworld, signed):
    redo = returned_redo(rworld, signed, [Review.ReturnReason.NO_MEASURE])
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


def test_it_refuses_a_redo_without_rectification_items_when_measures_were_missing(rworld):
    review = signed_review(
        rworld.branch_leader, org_subject(rworld.branch), n_items=0, mode="random"
    )
    redo = returned_redo(rworld, review, [Review.ReturnReason.NO_MEASURE])
    review_services.review_update(
        review=redo, by=rworld.branch_leader, content=content(mode="random", grade="average"),
        items=[], version=redo.edit_version)  # fmt: skip
    with pytest.raises(TransitionError, match="整改事项"):
        review_services.review_sign(review=redo, by=rworld.branch_leader)


def test_it_refuses_a_redo_with_the_same_problems_when_none_were_named(rworld, signed):
    redo = returned_redo(rworld, signed, [NO_PROBLEM])
    review_services.review_update(
        review=redo, by=rworld.branch_leader, content=content(mode="random", grade="average"),
        items=items(2), version=redo.edit_version)  # fmt: skip
    with pytest.raises(TransitionError, match="指出的问题"):
        review_services.review_sign(review=redo, by=rworld.branch_leader)


def test_it_refuses_a_redo_without_a_self_evaluation_when_it_was_missing(rworld, signed):
    redo = returned_redo(rworld, signed, [Review.ReturnReason.NO_SELF_EVALUATION])
    review_services.review_update(
        review=redo, by=rworld.branch_leader, content=content(mode="random", grade="average"),
        items=items(2), version=redo.edit_version)  # fmt: skip
    with pytest.raises(TransitionError, match="自查自评"):
        review_services.review_sign(review=redo, by=rworld.branch_leader)


def test_it_keeps_carried_rectification_items_owed_while_the_redo_is_redrafted(rworld, signed):

    redo = returned_redo(rworld, signed, [NO_PROBLEM])
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
    rectification_services.rectification_item_done(
        item=carried, by=rworld.secretary, measures_taken="已走访"
    )
    new = redo.items.order_by("id").last()
    with pytest.raises(TransitionError, match="尚未下达"):
        rectification_services.rectification_item_done(
            item=new, by=rworld.secretary, measures_taken="x"
        )


def test_it_redoes_a_review_whose_rectification_items_are_already_past_their_deadline(
    rworld, signed
):
    past = today() - datetime.timedelta(days=10)
    signed.items.update(deadline=past)
    first = signed.items.order_by("id").first()
    rectification_services.rectification_item_done(
        item=first, by=rworld.secretary, measures_taken="已整改"
    )
    rectification_services.rectification_item_confirm(item=first, by=rworld.branch_leader)
    redo = returned_redo(rworld, signed, [NO_PROBLEM])
    carried = [
        review_services.ItemContent(
            problem=i.problem,
            target=i.target,
            measures=i.measures,
            responsible=i.responsible,
            deadline=i.deadline,
        )  # fmt: skip
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


# --- 四定 in full --------------------------------------------------------------------------


def _item(**kwargs) -> review_services.ItemContent:
    fields = {
        "problem": "台账不全",
        "target": "台账齐全",
        "measures": "补齐台账",
        "responsible": "",
        "deadline": today() + datetime.timedelta(days=30),
    }
    return review_services.ItemContent(**{**fields, **kwargs})


def test_it_refuses_an_item_without_a_target(rworld):
    with pytest.raises(TransitionError, match="目标"):
        review_services.review_create(
            by=rworld.secretary,
            subject=member_subject(rworld.member),
            quarter=Quarter.current(),
            content=content(mode="random"),
            items=[_item(target="", responsible="书记")],
        )


def test_it_takes_the_responsible_members_name_from_the_roll(rworld):
    review = review_services.review_create(
        by=rworld.secretary,
        subject=member_subject(rworld.member),
        quarter=Quarter.current(),
        content=content(mode="random"),
        items=[_item(responsible="别的名字", responsible_member_id=rworld.member.pk)],
    )
    item = review.items.get()
    assert (item.responsible, item.responsible_member_id) == ("张三", rworld.member.pk)


def test_it_refuses_a_responsible_member_of_another_organization(rworld):
    with pytest.raises(TransitionError, match="所在党组织的党员"):
        review_services.review_create(
            by=rworld.secretary,
            subject=member_subject(rworld.member),
            quarter=Quarter.current(),
            content=content(mode="random"),
            items=[_item(responsible_member_id=rworld.other_member.pk)],
        )


def test_it_links_a_typed_name_that_is_on_the_roll_and_keeps_an_outsider_as_typed(rworld):
    review = review_services.review_create(
        by=rworld.secretary,
        subject=member_subject(rworld.member),
        quarter=Quarter.current(),
        content=content(mode="random"),
        items=[_item(responsible="张三"), _item(responsible="街道办王主任")],
    )
    linked, outsider = review.items.order_by("id")
    assert linked.responsible_member_id == rworld.member.pk
    assert (outsider.responsible, outsider.responsible_member_id) == ("街道办王主任", None)


# --- the committee's calendar ----------------------------------------------------------------


def _bureau_calendar(w):
    calendar_set(
        organization=w.town,
        year=today().year,
        content=calendar_content(),
        version=0,
        by=w.office,
    )


def test_it_refuses_fairly_good_where_the_committee_grades_good_fair_poor(rworld):
    _bureau_calendar(rworld)
    with pytest.raises(TransitionError, match="点评等次无效"):
        review_services.review_create(
            by=rworld.secretary,
            subject=member_subject(rworld.member),
            quarter=Quarter.current(),
            content=content(mode="random", grade="fairly_good"),
        )
    review = review_services.review_create(
        by=rworld.secretary,
        subject=member_subject(rworld.member),
        quarter=Quarter.current(),
        content=content(mode="random", grade="average"),  # 中
    )
    assert review.grade == "average"


def test_it_files_a_half_yearly_review_under_its_half(rworld):
    _bureau_calendar(rworld)
    q = Quarter.current()
    review = review_services.review_create(
        by=rworld.secretary,
        subject=member_subject(rworld.member),
        quarter=Quarter(q.year, 1 if q.quarter <= 2 else 3),
        content=content(mode="random"),
    )
    assert review.quarter == (2 if q.quarter <= 2 else 4)
    with pytest.raises(TransitionError, match="草稿"):
        review_services.review_create(
            by=rworld.secretary,
            subject=member_subject(rworld.member),
            quarter=Quarter(q.year, 2 if q.quarter <= 2 else 4),
            content=content(mode="random"),
        )
