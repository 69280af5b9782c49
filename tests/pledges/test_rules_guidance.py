"""Gentle guidance on how many items to pledge."""

from pledges.rules import guidance


def test_it_gives_gentle_guidance_for_too_few_items(world, pledge_in):
    pledge = pledge_in("draft", world)
    warnings = guidance.guidance_for_member(world.member, [pledge])
    assert any("实事好事" in w for w in warnings)
    assert any("缺点" in w for w in warnings)
    assert guidance.guidance_for_organization([]) != []
