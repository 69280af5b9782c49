"""A branch whose book holds something of every kind, published or not."""

import pytest
from django.core.cache import cache

from pledges.models import Pledge, ProgressRecord
from reviews.models import AnnualAssessment
from reviews.services import assessment as evaluations
from tests.factories import (
    MemberFactory,
    branch_pledge,
    make_ended_evaluation,
    make_public_review,
    make_review_item,
    today,
)

S = Pledge.Status


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Pages, versions and the opinion rate limit live in the cache: start each test empty.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pub(world):
    """`world` plus, in the branch: pledges in every state, a progress record, a public and an
    internal review, an ended evaluation with 30 answers and a recorded annual grade."""
    w = world
    w.wang = MemberFactory(name="王五", organization=w.branch, phone="13912345678", id_card="")
    w.published = branch_pledge(w, S.PUBLISHED, "修缮社区活动室", member=w.member)
    w.running = branch_pledge(w, S.IN_PROGRESS, "帮扶困难群众")
    w.closed = branch_pledge(w, S.CLOSED, "清理小区垃圾")
    w.unfulfilled = branch_pledge(w, S.UNFULFILLED, "开办夜校")
    w.draft = branch_pledge(w, S.DRAFT, "草稿承诺不得公开")
    w.submitted = branch_pledge(w, S.SUBMITTED, "待审承诺不得公开")
    w.returned = branch_pledge(w, S.RETURNED, "退回承诺不得公开", return_reason="不具体")
    w.record = ProgressRecord.objects.create(
        pledge=w.running,
        date=today(),
        text="走访困难户 5 户，联系电话 13800138000",
        author=w.secretary,
    )
    w.public_review = make_public_review(w.branch, reviewer=w.leader)
    w.item = make_review_item(w.public_review, problem="记实不及时")
    w.internal_review = make_public_review(
        w.branch,
        reviewer=w.office,
        scope="organization",
        problems="内部问题不得公开",
    )
    make_review_item(w.internal_review, problem="内部整改不得公开")
    w.evaluation = make_ended_evaluation(
        w.branch, by=w.secretary, opinion="评议人意见不得公开", members=[w.member]
    )
    w.assessment = evaluations.assessment_record(
        by=w.office, year=today().year, organization=w.branch, grade=AnnualAssessment.Grade.GOOD
    )
    return w
