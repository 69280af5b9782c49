"""Each permission rule of the pledge book: who may, and that a stranger may not."""

from pledges import permissions


def test_it_lets_the_branchs_people_view_it_and_refuses_a_stranger(world):
    assert permissions.can_view_organization(world.secretary, world.branch)
    assert permissions.can_view_organization(world.member_user, world.branch)
    assert not permissions.can_view_organization(world.stranger, world.branch)


def test_it_lets_the_secretary_and_office_manage_and_refuses_a_stranger(world):
    assert permissions.can_manage_organization(world.secretary, world.branch)
    assert permissions.can_manage_organization(world.office, world.branch)
    assert not permissions.can_manage_organization(world.leader, world.branch)
    assert not permissions.can_manage_organization(world.stranger, world.branch)


def test_it_shows_personal_data_inside_the_branch_only(world):
    assert permissions.can_see_personal_data(world.secretary, world.member)
    assert permissions.can_see_personal_data(world.office, world.member)
    assert permissions.can_see_personal_data(world.member_user, world.member)
    assert not permissions.can_see_personal_data(world.other_secretary, world.member)
    assert not permissions.can_see_personal_data(world.stranger, world.member)


def test_it_lets_whoever_keeps_the_book_import_a_roster_and_refuses_a_stranger(world):
    assert permissions.can_import_roster(world.secretary, world.branch)
    assert not permissions.can_import_roster(world.member_user, world.branch)
    assert not permissions.can_import_roster(world.stranger, world.branch)


def test_it_refuses_a_stranger_every_pledge_move(world, pledge_in):
    pledge = pledge_in("submitted", world)
    for rule in (
        permissions.can_edit_pledge,
        permissions.can_approve_pledge,
        permissions.can_run_pledge,
        permissions.can_record_progress,
    ):
        assert not rule(world.stranger, pledge), rule.__name__
    assert not permissions.is_owner(world.stranger, pledge)
    assert permissions.is_owner(world.member_user, pledge)
