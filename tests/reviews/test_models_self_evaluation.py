"""Who sees which self-evaluation: `SelfEvaluation.objects.visible_to`."""

from reviews.models import Review, SelfEvaluation
from tests.factories import (
    org_subject,
    submit_self_evaluation,
)


def visible(user, model=Review):
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


def test_it_limits_self_evaluations_to_their_writers_and_overseers(rworld):
    self_evaluation = submit_self_evaluation(org_subject(rworld.branch), rworld.secretary)
    for user in (rworld.secretary, rworld.office, rworld.leader, rworld.branch_leader):
        assert self_evaluation.pk in visible(user, SelfEvaluation)
    for user in (rworld.far_office, rworld.far_leader, rworld.other_secretary, rworld.stranger):
        assert self_evaluation.pk not in visible(user, SelfEvaluation)
