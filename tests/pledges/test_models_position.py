"""pledges/models/position.py: roles read from Position and Member rows, and visible_q."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from core.access import NOTHING
from pledges.models import Member
from pledges.models.position import roles_of, visible_q
from pledges.roles import HeldPosition
from tests.factories import UserFactory


def test_it_reads_a_users_positions_once_as_named_values(world, django_assert_num_queries):
    user = type(world.office).objects.get(pk=world.office.pk)
    with django_assert_num_queries(2):
        roles = roles_of(user)
        assert roles_of(user) is roles
    assert roles.positions == [HeldPosition(world.town.path, world.town.pk, "office")]
    assert roles.member is None


def test_it_gives_nothing_to_anonymous_everything_to_a_superuser_else_the_rows(world):
    def rows(roles):
        return Q(pk__in=roles.org_ids())

    assert visible_q(AnonymousUser(), rows) == NOTHING
    assert visible_q(UserFactory(is_superuser=True), rows) == Q()
    assert visible_q(world.secretary, rows) == Q(pk__in=[world.branch.pk])


def test_it_shows_members_under_a_position_and_ones_own_row_and_refuses_a_stranger(world):
    assert set(Member.objects.visible_to(world.office)) == {world.member, world.other_member}
    assert list(Member.objects.visible_to(world.member_user)) == [world.member]
    assert not Member.objects.visible_to(world.stranger).exists()
