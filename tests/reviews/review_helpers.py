"""Small builders for the review tests: a subject, a submitted report, a signed review."""

import datetime

import pytest
from django.utils import timezone

from pledges.models import Position
from reviews import services
from reviews.models import Quarter, Review, Subject, SubjectKind
from tests.factories import UserFactory, make_org, make_position


def today() -> datetime.date:
    return timezone.localdate()


def org_subject(org) -> Subject:
    return Subject(SubjectKind.ORGANIZATION, org)


def secretary_subject(org) -> Subject:
    return Subject(SubjectKind.SECRETARY, org)


def member_subject(member) -> Subject:
    return Subject(SubjectKind.MEMBER, member.organization, member)


def content(**kwargs) -> services.ReviewContent:
    fields = {
        "date": today(),
        "mode": Review.Mode.COLLECTIVE,
        "achievements": "承诺事项推进有力",
        "problems": "群众走访不够",
        "direction": "加强走访",
        "grade": Review.Grade.GOOD,
    }
    fields.update(kwargs)
    return services.ReviewContent(**fields)


def items(n: int = 2, days: int = 30) -> list[services.ItemContent]:
    return [
        services.ItemContent(
            problem=f"问题{i + 1}",
            measures=f"措施{i + 1}",
            responsible="书记",
            deadline=today() + datetime.timedelta(days=days),
        )
        for i in range(n)
    ]


def submit_report(subject: Subject, by, quarter: Quarter | None = None):
    return services.report_save(
        by=by,
        subject=subject,
        quarter=quarter or Quarter.current(),
        content=services.ReportContent(highlights="做得好", shortcomings="有不足"),
        submit=True,
    )


def draft_review(by, subject: Subject, n_items: int = 2, **content_kwargs) -> Review:
    return services.review_create(
        by=by,
        subject=subject,
        quarter=Quarter.current(),
        content=content(**content_kwargs),
        items=items(n_items),
    )


def signed_review(by, subject: Subject, n_items: int = 2, reporter=None, **kw) -> Review:
    if reporter is not None:
        submit_report(subject, reporter)
    review = draft_review(by, subject, n_items, **kw)
    return services.review_sign(review=review, by=by)


@pytest.fixture
def rworld(world):
    """`world` plus a leader linked to the branch and a head (secretary) of the town."""
    w = world
    w.branch_leader = UserFactory(username="branch_leader")
    make_position(w.branch_leader, w.branch, Position.Kind.LEADER_SUPERVISE)
    w.town_secretary = UserFactory(username="town_secretary")
    make_position(w.town_secretary, w.town, Position.Kind.SECRETARY)
    w.far_branch = make_org("远郊村党支部", w.far_town)
    w.far_leader = UserFactory(username="far_leader")
    make_position(w.far_leader, w.far_branch, Position.Kind.LEADER_CONTACT)
    return w
