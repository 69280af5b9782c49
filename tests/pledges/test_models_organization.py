"""pledges/models/organization.py: which organizations a user sees."""

from pledges.models import Organization


def test_it_shows_the_subtree_under_a_position_and_a_members_own_branch(world):
    assert set(Organization.objects.visible_to(world.office)) == {
        world.town,
        world.branch,
        world.other_branch,
    }
    assert list(Organization.objects.visible_to(world.member_user)) == [world.branch]


def test_it_shows_a_stranger_no_organization(world):
    assert not Organization.objects.visible_to(world.stranger).exists()
