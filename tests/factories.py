"""Factories for every app's tests: build the smallest world a test needs."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from pledges.models import Member, Organization, Pledge, Position


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
