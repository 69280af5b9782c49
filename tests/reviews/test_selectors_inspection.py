"""The inspection's pre-fill: the system's own figures per branch, in a fixed number of queries."""

import datetime

import pytest
from django.utils import timezone

from pledges.models import Member, Pledge, ProgressRecord
from reviews.models import Quarter, RectificationItem, Review, Satisfaction
from reviews.selectors import dashboard, inspection
from tests.factories import (
    MemberFactory,
    PledgeFactory,
    issue_inspection_notice,
    make_evaluation,
    make_item,
    make_org,
    make_review,
    open_inspection,
)

Status = Pledge.Status


def _branch_with_a_good_half(world, branch):
    """Every default item met: pledges public and recorded, branch and members reviewed,
    30 answers, every due item closed."""
    q = Quarter.current()
    member = MemberFactory(organization=branch)
    pledge = PledgeFactory(owner_member=member, status=Status.IN_PROGRESS, year=q.year)
    ProgressRecord.objects.create(
        pledge=pledge, date=timezone.localdate(), text="走访 5 户", author=world.office
    )
    review = make_review(q, Review.Grade.GOOD, org=branch)
    for each in Member.objects.filter(organization=branch):
        make_review(q, Review.Grade.GOOD, member=each)
    make_item(review, timezone.localdate() - datetime.timedelta(days=1), "confirmed")
    make_evaluation(branch, q, [Satisfaction.SATISFIED] * 30, world.office)
    return member


def test_it_pre_fills_each_item_from_the_system_s_data(world):
    q = Quarter.current()
    _branch_with_a_good_half(world, world.branch)
    # The other branch: a pledge approved but not published, nothing recorded, 5 answers,
    # an overdue open item, no review.
    PledgeFactory(owner_org=world.other_branch, status=Status.APPROVED, year=q.year)
    make_evaluation(world.other_branch, q, [Satisfaction.SATISFIED] * 5, world.office)
    RectificationItem.objects.create(
        review=None,
        subject_kind="organization",
        organization=world.other_branch,
        problem="问题",
        measures="措施",
        responsible="书记",
        deadline=timezone.localdate() - datetime.timedelta(days=1),
    )
    round_ = open_inspection(world.office, world.town)
    rows = inspection.prefill(round_, list(inspection.targets_of(round_)))
    good, bad = (rows[0], rows[1]) if rows[0].target.organization == world.branch else rows[::-1]
    assert {k: f.ok for k, f in good.facts.items()} == {
        "pledges_public": True,
        "ledger_kept": True,
        "reviews_done": True,
        "evaluation_30": True,
        "rectification_closed": True,
    }
    assert {k: f.ok for k, f in bad.facts.items()} == {
        "pledges_public": False,
        "ledger_kept": False,
        "reviews_done": False,
        "evaluation_30": False,
        "rectification_closed": False,
    }
    assert bad.facts["pledges_public"].text == "已亮诺 0 / 1 项"
    assert bad.facts["evaluation_30"].text == "参评 5 人"
    # Before the check the boxes follow the system; after it, what the inspector recorded.
    assert all(item["checked"] for item in good.items(round_.checklist))
    assert not any(item["checked"] for item in bad.items(round_.checklist))


@pytest.mark.parametrize("branches", [1, 6])
def test_it_pre_fills_a_page_in_a_fixed_number_of_queries(
    world, django_assert_num_queries, branches
):
    for i in range(branches):
        branch = make_org(f"新支部{i}", world.town)
        _branch_with_a_good_half(world, branch)
    round_ = open_inspection(world.office, world.town)
    for target in round_.targets.all()[:3]:
        issue_inspection_notice(world.office, target)
    targets = list(inspection.targets_of(round_))
    with django_assert_num_queries(7):
        rows = inspection.prefill(round_, targets)
    assert len(rows) == branches + 2


def test_it_counts_overdue_notices_under_the_root_for_the_dashboard(inspected):
    w = inspected
    w.inspection_notice.deadline = timezone.localdate() - datetime.timedelta(days=1)
    w.inspection_notice.save()
    (figure,) = inspection.overdue_notice_figures(w.town, Quarter.current())
    assert figure.value == 1 and figure.label == "逾期未整改的整改通知书"
    (elsewhere,) = inspection.overdue_notice_figures(w.far_town, Quarter.current())
    assert elsewhere.value == 0
    assert inspection.overdue_notice_figures in dashboard.EXTRA_FIGURES
