"""The organization rules (pledges/rules/organization.py): who may, and that a stranger may not."""

from pledges.rules import organization as rules


def test_it_lets_the_branchs_people_view_it_and_refuses_a_stranger(world):
    assert rules.can_view_organization(world.secretary, world.branch)
    assert rules.can_view_organization(world.member_user, world.branch)
    assert not rules.can_view_organization(world.stranger, world.branch)


def test_it_lets_the_secretary_and_office_manage_and_refuses_a_stranger(world):
    assert rules.can_manage_organization(world.secretary, world.branch)
    assert rules.can_manage_organization(world.office, world.branch)
    assert not rules.can_manage_organization(world.leader, world.branch)
    assert not rules.can_manage_organization(world.stranger, world.branch)


def test_it_shows_personal_data_inside_the_branch_only(world):
    assert rules.can_see_personal_data(world.secretary, world.member)
    assert rules.can_see_personal_data(world.office, world.member)
    assert rules.can_see_personal_data(world.member_user, world.member)
    assert not rules.can_see_personal_data(world.other_secretary, world.member)
    assert not rules.can_see_personal_data(world.stranger, world.member)


def test_it_lets_whoever_keeps_the_book_import_a_roster_and_refuses_a_stranger(world):
    assert rules.can_import_roster(world.secretary, world.branch)
    assert not rules.can_import_roster(world.member_user, world.branch)
    assert not rules.can_import_roster(world.stranger, world.branch)
