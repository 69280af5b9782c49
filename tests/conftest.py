import pytest
from django.core.cache import cache

from pledges.models import Organization, Position
from tests.factories import MemberFactory, UserFactory, make_org, make_position


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A fast hasher: the default one costs ~0.3 s per user and every test makes several.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Ids repeat from one test to the next; a form claimed (core.once) or an address counted
    # (core.ratelimit) in one test must not refuse the next test's post.
    cache.clear()


@pytest.fixture
def world(db):
    """县委 → 镇党委 → two branches; a secretary, members, an office, a leader, strangers."""
    county = make_org("示范县委", level=Organization.Level.COMMITTEE)
    town = make_org("城关镇党委", county, level=Organization.Level.COMMITTEE)
    branch = make_org("东街社区党支部", town, field=Organization.Field.COMMUNITY)
    other_branch = make_org("西街社区党支部", town, field=Organization.Field.COMMUNITY)
    secretary = UserFactory(username="secretary")
    make_position(secretary, branch, Position.Kind.SECRETARY)
    other_secretary = UserFactory(username="other_secretary")
    make_position(other_secretary, other_branch, Position.Kind.SECRETARY)
    office = UserFactory(username="office")
    make_position(office, town, Position.Kind.OFFICE)
    leader = UserFactory(username="leader")
    make_position(leader, town, Position.Kind.LEADER_CONTACT)
    member_user = UserFactory(username="member")
    member = MemberFactory(name="张三", organization=branch, user=member_user)
    other_member_user = UserFactory(username="other_member")
    other_member = MemberFactory(name="李四", organization=other_branch, user=other_member_user)
    stranger = UserFactory(username="stranger")
    far_office = UserFactory(username="far_office")
    far_town = make_org("远郊镇党委", county, level=Organization.Level.COMMITTEE)
    make_position(far_office, far_town, Position.Kind.OFFICE)

    class World:
        pass

    w = World()
    w.__dict__.update(locals())
    return w
