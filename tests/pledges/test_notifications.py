"""A pledge's owner hears of its return, approval and publication; the mover does not."""

import pytest

from core.errors import TransitionError
from core.notifications.models import Notification
from pledges.services import pledge as services


def _told(kind):
    return {(n.recipient.username, n.link) for n in Notification.objects.filter(kind=kind)}


def test_it_tells_the_member_his_pledge_was_returned_and_why(
    world, pledge_in, django_capture_on_commit_callbacks
):
    pledge = pledge_in("submitted", world)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_return(pledge=pledge, by=world.secretary, reason="时限不明确")
    assert _told("pledge_returned") == {("member", pledge.get_absolute_url())}
    n = Notification.objects.get(kind="pledge_returned")
    assert pledge.title in n.title and "时限不明确" in n.body


@pytest.mark.parametrize(
    ("move", "kind"),
    [("approve", "pledge_approved"), ("publish", "pledge_published")],
)
def test_it_tells_the_member_of_each_move(
    world, pledge_in, move, kind, django_capture_on_commit_callbacks
):
    pledge = pledge_in("submitted" if move == "approve" else "approved", world)
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, f"pledge_{move}")(pledge=pledge, by=world.secretary)
    assert _told(kind) == {("member", pledge.get_absolute_url())}


def test_it_tells_the_secretary_of_an_organization_pledge(
    world, pledge_in, django_capture_on_commit_callbacks
):
    pledge = pledge_in("submitted", world, member=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.pledge_return(pledge=pledge, by=world.office, reason="不具体")
    assert _told("pledge_returned") == {("secretary", pledge.get_absolute_url())}


def test_it_tells_nobody_of_a_refused_move(world, pledge_in, django_capture_on_commit_callbacks):
    pledge = pledge_in("submitted", world)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(TransitionError):
        services.pledge_return(pledge=pledge, by=world.secretary, reason=" ")
    assert not Notification.objects.filter(kind="pledge_returned").exists()
