"""The pledge rules (pledges/rules/pledge.py): who may, and that a stranger may not."""

from pledges.rules import pledge as rules


def test_it_refuses_a_stranger_every_pledge_move(world, pledge_in):
    pledge = pledge_in("submitted", world)
    for rule in (
        rules.can_edit_pledge,
        rules.can_approve_pledge,
        rules.can_run_pledge,
        rules.can_record_progress,
        rules.can_publish_progress,
    ):
        assert not rule(world.stranger, pledge), rule.__name__
    assert not rules.is_owner(world.stranger, pledge)
    assert rules.is_owner(world.member_user, pledge)


def test_it_leaves_what_the_people_see_of_a_record_to_the_book_keeper(world, pledge_in):
    pledge = pledge_in("published", world)
    assert rules.can_publish_progress(world.secretary, pledge)
    # The member records his own progress but does not decide what the people see of it.
    assert rules.can_record_progress(world.member_user, pledge)
    assert not rules.can_publish_progress(world.member_user, pledge)
    assert not rules.can_publish_progress(world.other_secretary, pledge)
