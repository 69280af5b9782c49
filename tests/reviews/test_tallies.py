"""The reviews' counter rows: random moves through the services, then a recount."""

import datetime
import random
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from core.errors import TransitionError
from pledges import tallies
from pledges.models import Pledge, Tally
from pledges.services import pledge as pledge_services
from reviews import tallies as reviews_tallies
from reviews.models import (
    MIN_RESPONSES,
    EvaluationResponse,
    MassEvaluation,
    Quarter,
    RectificationItem,
    Review,
)
from reviews.selectors import dashboard as dashboard_selectors
from reviews.selectors import rectification as rect_selectors
from reviews.services import mass_evaluation as mass_services
from reviews.services import rectification as rect_services
from reviews.services import review as review_services
from tests.factories import (
    UserFactory,
    answer,
    codes_of,
    draft_review,
    make_evaluation,
    make_item,
    make_org,
    make_review,
    member_subject,
    open_evaluation,
    org_subject,
    submit_self_evaluation,
)

S = Pledge.Status


def _content(days: int) -> pledge_services.PledgeContent:
    return pledge_services.PledgeContent(
        kind=Pledge.Kind.PRACTICAL,
        title="帮助困难户解决饮水问题",
        measures="每月走访一次",
        deadline=timezone.localdate() + datetime.timedelta(days=days),
        expected_result="用上自来水",
    )


class Moves:
    """Random service calls on `rworld`; a refused move (wrong state, no right) is skipped."""

    def __init__(self, w, rng: random.Random):
        self.w, self.rng = w, rng
        self.owners = [
            (w.branch, w.member, w.secretary),
            (w.branch, None, w.secretary),
            (w.other_branch, w.other_member, w.other_secretary),
            (w.other_branch, None, w.other_secretary),
        ]

    def pick(self, qs):
        rows = list(qs)
        return self.rng.choice(rows) if rows else None

    def approver(self, pledge):
        secretary = (
            self.w.secretary if pledge.owner_org == self.w.branch else self.w.other_secretary
        )
        return secretary if pledge.owner_member_id else self.w.office

    def secretary_of(self, pledge):
        return self.w.secretary if pledge.owner_org == self.w.branch else self.w.other_secretary

    def pledge_create(self):
        org, member, by = self.rng.choice(self.owners)
        pledge_services.pledge_create(
            by=by,
            owner_org=org,
            owner_member=member,
            content=_content(self.rng.choice([-5, 30])),
            year=timezone.localdate().year,
        )

    def pledge_move(self):
        pledge = self.pick(Pledge.objects.all())
        if pledge is None:
            return
        by, step = self.secretary_of(pledge), self.rng.randrange(7)
        if step == 0:
            pledge_services.pledge_submit(pledge=pledge, by=by)
        elif step == 1:
            pledge_services.pledge_approve(pledge=pledge, by=self.approver(pledge))
        elif step == 2:
            pledge_services.pledge_return(pledge=pledge, by=self.approver(pledge), reason="不具体")
        elif step == 3:
            pledge_services.pledge_publish(pledge=pledge, by=by)
        elif step == 4:
            pledge_services.pledge_close(pledge=pledge, by=by, result="已完成")
        elif step == 5:
            pledge_services.pledge_mark_unfulfilled(pledge=pledge, by=by, reason="资金未到位")
        else:
            pledge_services.pledge_delete_draft(pledge=pledge, by=by)

    def report(self):
        w = self.w
        subject, by = self.rng.choice(
            [(org_subject(w.branch), w.secretary), (member_subject(w.member), w.member_user)]
        )
        submit_self_evaluation(subject, by)

    def review(self):
        w = self.w
        by, subject = self.rng.choice(
            [(w.branch_leader, org_subject(w.branch)), (w.secretary, member_subject(w.member))]
        )
        review = draft_review(by, subject, n_items=self.rng.randrange(3))
        if self.rng.random() < 0.7:
            review_services.review_sign(review=review, by=by)

    def review_move(self):
        review = self.pick(Review.objects.all())
        if review is None:
            return
        step = self.rng.randrange(4)
        if step == 0:
            review_services.review_sign(review=review, by=review.reviewer)
        elif step == 1:
            scope = self.rng.choice(Review.Scope.values)  # public: its items on the public page
            review_services.review_publish(review=review, by=review.reviewer, scope=scope)
        elif step == 2:
            reasons = [Review.ReturnReason.values[0]]
            review_services.review_return(review=review, by=self.w.office, reasons=reasons)
        else:
            review_services.review_delete_draft(review=review, by=review.reviewer)

    def item_move(self):
        item = self.pick(RectificationItem.objects.all())
        if item is None:
            return
        worker = self.w.secretary if item.member_id is None else self.w.member_user
        step = self.rng.randrange(3)
        if step == 0:
            rect_services.rectification_item_done(item=item, by=worker, measures_taken="已整改")
        elif step == 1:
            rect_services.rectification_item_confirm(item=item, by=item.review.reviewer)
        else:
            rect_services.rectification_item_reopen(
                item=item, by=item.review.reviewer, reason="不彻底"
            )

    def evaluation(self):
        w, today = self.w, timezone.localdate()
        evaluation = mass_services.mass_evaluation_open(
            by=w.secretary,
            organization=w.branch,
            year=today.year,
            half=1 if today.month <= 6 else 2,
            ends_on=today + datetime.timedelta(days=10),
            members=[w.member],
        )
        mass_services.mass_evaluation_codes_issue(by=w.secretary, evaluation=evaluation, count=3)
        for code in codes_of(evaluation)[: self.rng.randrange(4)]:
            answer(evaluation, code, rating=self.rng.choice(["satisfied", "unsatisfied"]))
        if self.rng.random() < 0.5:
            mass_services.mass_evaluation_close(by=w.secretary, evaluation=evaluation)

    def run(self, n: int) -> int:
        moves = [
            self.pledge_create,
            self.pledge_move,
            self.pledge_move,
            self.report,
            self.review,
            self.review_move,
            self.item_move,
            self.item_move,
            self.evaluation,
        ]
        done = 0
        for _ in range(n):
            try:
                self.rng.choice(moves)()
                done += 1
            except (TransitionError, PermissionDenied, ValidationError):
                pass
            assert tallies.differences() == {}
        return done


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_keeps_every_counter_equal_to_a_recount_through_random_moves(rworld, seed):
    assert Moves(rworld, random.Random(seed)).run(40) > 15
    assert Tally.objects.filter(n__gt=0).exists()


def test_it_issues_a_drafts_items_when_it_is_signed(rworld):
    w = rworld
    review = draft_review(w.branch_leader, org_subject(w.branch), n_items=2, mode="random")
    q = Quarter.current()
    assert rect_selectors.rectification_rate(org=w.town, year=q.year, quarter=q.quarter)[1] == 0
    review_services.review_sign(review=review, by=w.branch_leader)
    due = sum(
        rect_selectors.rectification_rate(org=w.town, year=y, quarter=p)[1]
        for y, p in {(i.deadline.year, (i.deadline.month - 1) // 3 + 1) for i in review.items.all()}
    )
    assert due == 2
    assert tallies.differences() == {}


def test_it_counts_overdue_items_from_their_deadline_buckets(rworld):
    w = rworld
    review = make_review(Quarter.current(), Review.Grade.GOOD, org=w.branch)
    today = timezone.localdate()
    make_item(review, today - datetime.timedelta(days=3))
    make_item(review, today + datetime.timedelta(days=3))
    make_item(review, today - datetime.timedelta(days=3), RectificationItem.Status.CONFIRMED)
    assert rect_selectors.overdue_count(w.town) == 1
    # Tomorrow-but-three nothing was written, yet one more is overdue.
    assert rect_selectors.overdue_count(w.town, today + datetime.timedelta(days=4)) == 2


def test_it_counts_a_review_twice_given_to_one_member_once(rworld):
    w = rworld
    q = Quarter.current()
    make_review(q, Review.Grade.GOOD, member=w.member)
    make_review(q, Review.Grade.POOR, member=w.member, reviewer=w.branch_leader)
    d = dashboard_selectors.dashboard(w.branch, q)
    assert d.total.members.reviewed == 1
    assert d.total.graded == 2


def test_it_counts_the_items_of_a_review_published_to_the_people(rworld):
    w = rworld
    review = draft_review(w.branch_leader, org_subject(w.branch), n_items=2, mode="random")
    review_services.review_sign(review=review, by=review.reviewer)
    review_services.review_publish(review=review, by=review.reviewer, scope=Review.Scope.PUBLIC)
    item = review.items.first()
    rect_services.rectification_item_done(item=item, by=w.secretary, measures_taken="已整改")
    rect_services.rectification_item_confirm(item=item, by=review.reviewer)
    figures = {
        key: n for _b, _y, _p, _k, key, n in tallies.sums(w.town, [reviews_tallies.PUBLIC_ITEMS])
    }
    assert figures == {"open": 1, "closed": 1, "on_time": 1}
    assert tallies.differences() == {}


def _satisfaction(w) -> dict[str, int]:
    rows = tallies.sums(w.town, [reviews_tallies.SATISFACTION])
    return {key: n for _b, _y, _p, _k, key, n in rows if n}


def test_it_counts_an_evaluations_answers_once_it_has_enough(rworld):
    w = rworld
    evaluation = open_evaluation(w, codes=MIN_RESPONSES + 1)
    end = evaluation.ends_on.isoformat()
    codes = codes_of(evaluation)
    for code in codes[: MIN_RESPONSES - 2]:
        answer(evaluation, code)
    answer(evaluation, codes[MIN_RESPONSES - 2], rating="unsatisfied")
    assert _satisfaction(w) == {}  # one short of valid
    answer(evaluation, codes[MIN_RESPONSES - 1])
    assert _satisfaction(w) == {f"{end}:satisfied": MIN_RESPONSES - 1, f"{end}:unsatisfied": 1}
    mass_services.mass_evaluation_close(by=w.secretary, evaluation=evaluation)
    assert _satisfaction(w) == {"c:satisfied": MIN_RESPONSES - 1, "c:unsatisfied": 1}
    assert tallies.differences() == {}
    EvaluationResponse.objects.filter(rating="unsatisfied").get().delete()
    assert _satisfaction(w) == {}  # one short again
    assert tallies.differences() == {}


def test_it_takes_a_deleted_evaluations_answers_off(rworld):
    w = rworld
    make_evaluation(w.branch, Quarter.current(), ["satisfied"] * MIN_RESPONSES, w.secretary)
    assert _satisfaction(w) == {"c:satisfied": MIN_RESPONSES}
    MassEvaluation.objects.get().delete()
    assert _satisfaction(w) == {}
    assert tallies.differences() == {}


def test_it_counts_an_evaluation_from_the_day_after_its_end_date(rworld):
    w = rworld
    evaluation = make_evaluation(
        w.branch, Quarter.current(), ["satisfied"] * MIN_RESPONSES, w.secretary
    )
    evaluation.closed_at = None
    evaluation.ends_on = timezone.localdate()
    evaluation.save()
    quarter = Quarter.current()
    assert dashboard_selectors.dashboard(w.town, quarter).total.responses == 0
    evaluation.ends_on -= datetime.timedelta(days=1)
    evaluation.save()
    assert dashboard_selectors.dashboard(w.town, quarter).total.responses == MIN_RESPONSES
    assert tallies.differences() == {}


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers on the database"
)
def test_it_counts_two_answers_completing_an_evaluation_at_once(transactional_db):
    """28 answers, then two at once, each in a transaction still open while the other writes:
    without the evaluation's row lock each would count 29 and neither bring the evaluation in."""
    branch = make_org("支部", make_org("县委"))
    evaluation = MassEvaluation.objects.create(
        organization=branch,
        year=timezone.localdate().year,
        half=1,
        ends_on=timezone.localdate(),
        created_by=UserFactory(),
    )
    EvaluationResponse.objects.bulk_create(
        EvaluationResponse(evaluation=evaluation, rating="satisfied")
        for _ in range(MIN_RESPONSES - 2)
    )
    tallies.rebuild()
    errors = []

    def answer_slowly(delay: float) -> None:
        try:
            time.sleep(delay)
            with transaction.atomic():
                EvaluationResponse.objects.create(evaluation=evaluation, rating="basic")
                time.sleep(0.3)  # the other answer arrives meanwhile
        except Exception as error:  # noqa: BLE001 - reported to the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer_slowly, args=(d,)) for d in (0, 0.1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert tallies.differences() == {}
    rows = tallies.sums(branch, [reviews_tallies.SATISFACTION])
    assert sum(n for *_rest, n in rows) == MIN_RESPONSES
