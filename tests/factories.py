"""Factories for every app's tests: build the smallest world a test needs."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from pledges.models import Member, Organization, Pledge, Position
from reviews.models import (
    EvaluationResponse,
    MassEvaluation,
    MemberRating,
    Quarter,
    RectificationItem,
    Review,
    SubjectKind,
    subject_key_for,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass12345")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # Save the hashed password, or a session made by force_login is dropped at once.
        if create:
            instance.save(update_fields=["password"])


def make_org(name: str = "", parent: Organization | None = None, **kwargs) -> Organization:
    """Organizations are tree nodes: treebeard computes the path, so no plain factory."""
    level = kwargs.pop(
        "level", Organization.Level.BRANCH if parent else Organization.Level.COMMITTEE
    )
    fields = {
        "name": name or f"组织{Organization.objects.count() + 1}",
        "level": level,
        "field": kwargs.pop("field", Organization.Field.GOVERNMENT),
        **kwargs,
    }
    if parent is None:
        return Organization.objects.add_root(create_kwargs=fields)
    parent.refresh_from_db()
    return Organization.objects.add_child(parent, create_kwargs=fields)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Member.Gender.MALE
    kind = Member.Kind.ON_DUTY
    organization = factory.LazyFunction(lambda: make_org())


def make_position(user, org: Organization, kind: str = Position.Kind.SECRETARY) -> Position:
    return Position.objects.create(user=user, organization=org, kind=kind)


class PledgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pledge

    owner_member = None
    owner_org = factory.LazyAttribute(
        lambda o: o.owner_member.organization if o.owner_member else make_org()
    )
    kind = Pledge.Kind.PRACTICAL
    title = factory.Sequence(lambda n: f"为群众办实事第{n}项")
    measures = "走访群众，建立台账，逐项落实"
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))
    expected_result = "群众满意"
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    created_by = factory.SubFactory(UserFactory)


# --- publicity: rows in the states the public pages read ------------------------------------


def make_public_review(org, *, reviewer, scope="public", status="published", member=None, **kw):
    """A signed review published with `scope`, about the organization (or a member of it)."""
    q = Quarter.current()
    kind = SubjectKind.MEMBER if member else SubjectKind.ORGANIZATION
    fields = {
        "subject_kind": kind,
        "organization": org,
        "member": member,
        "subject_key": subject_key_for(kind, org.pk, member.pk if member else None),
        "year": q.year,
        "quarter": q.quarter,
        "reviewer": reviewer,
        "date": timezone.localdate(),
        "mode": Review.Mode.ON_SITE,
        "achievements": "承诺推进有力",
        "problems": "走访不够",
        "direction": "加强走访",
        "grade": Review.Grade.GOOD,
        "status": status,
        "scope": scope,
        "published_at": timezone.now() if status == "published" else None,
        **kw,
    }
    return Review.objects.create(**fields)


def make_review_item(review, problem="入户走访不够", status="open"):
    return RectificationItem.objects.create(
        review=review,
        subject_kind=review.subject_kind,
        organization=review.organization,
        member=review.member,
        subject_key=review.subject_key,
        problem=problem,
        measures="每周走访 5 户",
        responsible="书记",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
        status=status,
        confirmed_at=timezone.now() if status == "confirmed" else None,
    )


def make_ended_evaluation(org, *, by, answers=30, opinion="", members=()):
    """A mass evaluation of this half that has ended, with `answers` 满意 answers."""
    today = timezone.localdate()
    evaluation = MassEvaluation.objects.create(
        organization=org,
        year=today.year,
        half=1 if today.month <= 6 else 2,
        ends_on=today,
        closed_at=timezone.now(),
        created_by=by,
    )
    evaluation.members.set(members)
    responses = EvaluationResponse.objects.bulk_create(
        EvaluationResponse(evaluation=evaluation, rating="satisfied", opinion=opinion)
        for _ in range(answers)
    )
    MemberRating.objects.bulk_create(
        MemberRating(response=r, member=m, rating="basic") for r in responses for m in members
    )
    return evaluation
