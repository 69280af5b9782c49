"""自查自评: the report before the review, with the pledge facts counted by the system."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import TransitionError
from pledges.models import Pledge
from reviews.models import Quarter, SelfEvaluation
from reviews.selectors import self_evaluation as self_evaluation_selectors
from reviews.services import self_evaluation as self_evaluation_services
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    draft_review,
    member_subject,
    org_subject,
    submit_self_evaluation,
    today,
)


def _pledges(rworld):
    past = today() - datetime.timedelta(days=1)
    member = rworld.member
    PledgeFactory(owner_member=member, status=Pledge.Status.CLOSED, closed_on=past)
    PledgeFactory(owner_member=member, status=Pledge.Status.IN_PROGRESS)
    PledgeFactory(owner_member=member, status=Pledge.Status.IN_PROGRESS, deadline=past)
    PledgeFactory(owner_member=member, status=Pledge.Status.UNFULFILLED)
    PledgeFactory(owner_member=member, status=Pledge.Status.DRAFT)
    PledgeFactory(owner_org=rworld.branch, status=Pledge.Status.PUBLISHED)


def test_it_prefills_and_freezes_the_pledge_facts_on_submission(rworld):
    _pledges(rworld)
    subject = member_subject(rworld.member)
    initial = self_evaluation_selectors.self_evaluation_initial(subject, Quarter.current())
    assert (initial["pledges_total"], initial["pledges_closed"]) == (4, 1)
    assert (initial["pledges_in_progress"], initial["pledges_behind"]) == (1, 2)
    assert "已兑现 1 项" in initial["pledge_notes"]
    self_evaluation = submit_self_evaluation(subject, rworld.member_user)
    assert self_evaluation.status == SelfEvaluation.Status.SUBMITTED
    assert (self_evaluation.pledges_total, self_evaluation.pledges_behind) == (4, 2)
    org_self_evaluation = submit_self_evaluation(org_subject(rworld.branch), rworld.secretary)
    assert org_self_evaluation.pledges_total == 1


def test_it_saves_a_draft_then_refuses_changes_after_submission(rworld):
    subject = member_subject(rworld.member)
    draft = self_evaluation_services.self_evaluation_save(
        by=rworld.member_user,
        subject=subject,
        quarter=Quarter.current(),
        content=self_evaluation_services.SelfEvaluationContent(highlights="草稿"),
        version=0,
    )
    assert draft.status == SelfEvaluation.Status.DRAFT
    with pytest.raises(TransitionError, match="不足"):
        self_evaluation_services.self_evaluation_save(
            by=rworld.member_user,
            subject=subject,
            quarter=Quarter.current(),
            content=self_evaluation_services.SelfEvaluationContent(highlights="只有成绩"),
            version=draft.edit_version,
            submit=True,
        )
    self_evaluation = submit_self_evaluation(subject, rworld.member_user)
    assert self_evaluation.pk == draft.pk
    with pytest.raises(TransitionError, match="已报送"):
        submit_self_evaluation(subject, rworld.member_user)


def test_it_lets_the_secretary_write_for_a_member_without_a_login(rworld):
    offline = MemberFactory(name="赵五", organization=rworld.branch)
    self_evaluation = submit_self_evaluation(member_subject(offline), rworld.secretary)
    assert self_evaluation.author == rworld.secretary


def test_it_links_the_self_evaluation_to_the_review(rworld):
    subject = member_subject(rworld.member)
    self_evaluation = submit_self_evaluation(subject, rworld.member_user)
    review = draft_review(rworld.secretary, subject)
    assert review.self_evaluation == self_evaluation


def test_it_refuses_self_evaluations_written_by_others(rworld):
    for user in (rworld.other_secretary, rworld.office, rworld.stranger, rworld.branch_leader):
        with pytest.raises(PermissionDenied):
            submit_self_evaluation(org_subject(rworld.branch), user)
    with pytest.raises(PermissionDenied):
        submit_self_evaluation(member_subject(rworld.member), rworld.other_member_user)
